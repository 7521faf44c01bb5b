import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import {
  advanceClock,
  BAD_CREDENTIALS,
  bearer,
  claimsOf,
  expectBody,
  freezeClock,
  get,
  login,
  NOT_AUTHENTICATED,
  NOT_FOUND,
  PETER,
  postJson,
  registerUser,
  send,
  tokenNotValid,
} from './contract-helpers.js'

// api-contract.md, "Beyond simplejwt": sessions per device, revoke one, revoke all, and the
// password change that ends every other session.

type Pair = { refresh: string; access: string }
let context: ContractApp

beforeEach(async () => {
  context = await buildContractApp()
  await registerUser(context.app)
})

afterEach(() => {
  vi.useRealTimers()
})

const refresh = (token: string) => postJson(context.app, '/api/token/refresh/', { refresh: token })
const BLACKLISTED = tokenNotValid('Token is blacklisted')

async function sessionIdOf(pair: Pair): Promise<string> {
  const record = await context.stores.sessions.findRefreshToken(String(claimsOf(pair.refresh).jti))
  return String(record?.familyId)
}

function revoke(id: string, access: string) {
  return send(context.app, {
    method: 'DELETE',
    url: `/api/sessions/${id}/`,
    headers: bearer(access),
  })
}

describe('GET /api/sessions/', () => {
  test('two devices, newest first, exact members', async () => {
    const start = Date.UTC(2030, 0, 1, 12)
    const iso = (offset: number) => new Date(start + offset * 1000).toISOString()
    freezeClock(start)
    const phone = await login(context.app, PETER, 'Phone/1.0')
    advanceClock(10)
    const laptop = await login(context.app, PETER, 'Laptop/2.0')
    const session = (id: string, device: string, at: number) => ({
      id,
      device,
      ip: '127.0.0.1',
      created_at: iso(at),
      last_used_at: iso(at),
      expires_at: iso(at + 86_400),
    })
    expectBody(await get(context.app, '/api/sessions/', phone.access), 200, [
      session(await sessionIdOf(laptop), 'Laptop/2.0', 10),
      session(await sessionIdOf(phone), 'Phone/1.0', 0),
    ])
  })

  test("a refresh moves the session's last use", async () => {
    freezeClock()
    const phone = await login(context.app, PETER, 'Phone/1.0')
    advanceClock(60)
    expect((await refresh(phone.refresh)).statusCode).toBe(200)
    const [listed] = (await get(context.app, '/api/sessions/', phone.access)).json() as {
      last_used_at: string
    }[]
    expect(listed?.last_used_at).toBe(new Date(Date.now()).toISOString())
  })

  test('only my sessions', async () => {
    await login(context.app)
    await registerUser(context.app, { username: 'mj', email: '' })
    const mj = await login(context.app, { username: 'mj', password: PETER.password })
    const listed = (await get(context.app, '/api/sessions/', mj.access)).json() as unknown[]
    expect(listed).toHaveLength(1)
  })

  test('anonymous: 401', async () => {
    expectBody(await get(context.app, '/api/sessions/'), 401, NOT_AUTHENTICATED)
  })
})

describe('DELETE /api/sessions/{id}/', () => {
  test('204 revokes that session only', async () => {
    const phone = await login(context.app, PETER, 'Phone/1.0')
    const laptop = await login(context.app, PETER, 'Laptop/2.0')
    const response = await revoke(await sessionIdOf(phone), laptop.access)
    expect(response.statusCode).toBe(204)
    expect(response.body).toBe('')
    expectBody(await refresh(phone.refresh), 401, BLACKLISTED)
    expect((await refresh(laptop.refresh)).statusCode).toBe(200)
    const listed = (await get(context.app, '/api/sessions/', laptop.access)).json() as unknown[]
    expect(listed).toHaveLength(1)
  })

  test("404 for someone else's session, which lives on", async () => {
    const peter = await login(context.app)
    await registerUser(context.app, { username: 'mj', email: '' })
    const mj = await login(context.app, { username: 'mj', password: PETER.password })
    expectBody(await revoke(await sessionIdOf(peter), mj.access), 404, NOT_FOUND)
    expect((await refresh(peter.refresh)).statusCode).toBe(200)
  })

  test('404 for an unknown or already revoked session', async () => {
    const pair = await login(context.app)
    expectBody(await revoke('0'.repeat(32), pair.access), 404, NOT_FOUND)
    const id = await sessionIdOf(pair)
    expect((await revoke(id, pair.access)).statusCode).toBe(204)
    expectBody(await revoke(id, pair.access), 404, NOT_FOUND)
  })

  test('without the trailing slash too', async () => {
    const pair = await login(context.app)
    const url = `/api/sessions/${await sessionIdOf(pair)}`
    const response = await send(context.app, {
      method: 'DELETE',
      url,
      headers: bearer(pair.access),
    })
    expect(response.statusCode).toBe(204)
    expectBody(await refresh(pair.refresh), 401, BLACKLISTED)
  })

  test('anonymous: 401', async () => {
    const pair = await login(context.app)
    const response = await send(context.app, {
      method: 'DELETE',
      url: `/api/sessions/${await sessionIdOf(pair)}/`,
    })
    expectBody(response, 401, NOT_AUTHENTICATED)
  })
})

describe('POST /api/logout/all/', () => {
  test('{} and every session ends; a later login works', async () => {
    freezeClock()
    const phone = await login(context.app, PETER, 'Phone/1.0')
    const laptop = await login(context.app, PETER, 'Laptop/2.0')
    const response = await send(context.app, {
      method: 'POST',
      url: '/api/logout/all/',
      headers: bearer(phone.access),
    })
    expectBody(response, 200, {})
    expectBody(await refresh(phone.refresh), 401, BLACKLISTED)
    expectBody(await refresh(laptop.refresh), 401, BLACKLISTED)
    advanceClock(1)
    const fresh = await login(context.app)
    expect((await refresh(fresh.refresh)).statusCode).toBe(200)
    const listed = (await get(context.app, '/api/sessions/', fresh.access)).json() as unknown[]
    expect(listed).toHaveLength(1)
  })

  test('anonymous: 401', async () => {
    const response = await send(context.app, { method: 'POST', url: '/api/logout/all/' })
    expectBody(response, 401, NOT_AUTHENTICATED)
  })
})

describe('POST /api/password/change/', () => {
  const NEW_PASSWORD = 'a brand new horse 42'
  const change = (access: string, body: Record<string, unknown>) =>
    postJson(context.app, '/api/password/change/', body, bearer(access))

  test('wrong old password: 400, nothing changes', async () => {
    const pair = await login(context.app)
    const response = await change(pair.access, {
      old_password: 'wrong',
      new_password: NEW_PASSWORD,
    })
    expectBody(response, 400, {
      old_password: ['Your old password was entered incorrectly. Please enter it again.'],
    })
    expect((await refresh(pair.refresh)).statusCode).toBe(200)
    expect((await login(context.app)).access).toBeTypeOf('string')
  })

  test('a weak new password: the validators', async () => {
    const pair = await login(context.app)
    const response = await change(pair.access, {
      old_password: PETER.password,
      new_password: '12345678',
    })
    expectBody(response, 400, {
      new_password: ['This password is too common.', 'This password is entirely numeric.'],
    })
  })

  test('required fields', async () => {
    const pair = await login(context.app)
    expectBody(await change(pair.access, {}), 400, {
      old_password: ['This field is required.'],
      new_password: ['This field is required.'],
    })
  })

  test('success: a new pair that works; the old refresh and other sessions end', async () => {
    const here = await login(context.app, PETER, 'Phone/1.0')
    const elsewhere = await login(context.app, PETER, 'Laptop/2.0')
    const response = await change(here.access, {
      old_password: PETER.password,
      new_password: NEW_PASSWORD,
    })
    expect(response.statusCode).toBe(200)
    const fresh = response.json() as Pair
    expect(response.body).toBe(`{"refresh":"${fresh.refresh}","access":"${fresh.access}"}`)
    expectBody(await get(context.app, '/api/hello/', fresh.access), 200, {
      msg: 'Hello Peter Parker',
    })
    expectBody(await refresh(here.refresh), 401, BLACKLISTED)
    expectBody(await refresh(elsewhere.refresh), 401, BLACKLISTED)
    expect((await refresh(fresh.refresh)).statusCode).toBe(200)
    const old = await postJson(context.app, '/api/token/', PETER)
    expectBody(old, 401, BAD_CREDENTIALS)
    const renewed = await postJson(context.app, '/api/token/', { ...PETER, password: NEW_PASSWORD })
    expect(renewed.statusCode).toBe(200)
  })

  test('anonymous: 401', async () => {
    const response = await postJson(context.app, '/api/password/change/', {
      old_password: PETER.password,
      new_password: NEW_PASSWORD,
    })
    expectBody(response, 401, NOT_AUTHENTICATED)
  })
})
