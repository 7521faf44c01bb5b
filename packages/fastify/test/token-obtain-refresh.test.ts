import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import {
  advanceClock,
  BAD_CREDENTIALS,
  claimsOf,
  deleteUser,
  expectBody,
  forgeToken,
  freezeClock,
  get,
  login,
  NO_ACCOUNT_FOR_TOKEN,
  PETER,
  postJson,
  type Response,
  registerUser,
  tokenNotValid,
  updateUser,
  userIdOf,
} from './contract-helpers.js'

// api-contract.md, "Token endpoints": POST /api/token/ and POST /api/token/refresh/.

let context: ContractApp
let userId: string

beforeEach(async () => {
  context = await buildContractApp()
  userId = String((await registerUser(context.app)).id)
})

afterEach(() => {
  vi.useRealTimers()
})

const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/
const refresh = (token: string) => postJson(context.app, '/api/token/refresh/', { refresh: token })

describe('POST /api/token/', () => {
  test('200 with exactly refresh and access, in that order', async () => {
    const response = await postJson(context.app, '/api/token/', PETER)
    expect(response.statusCode).toBe(200)
    const body = response.json() as { refresh: string; access: string }
    expect(Object.keys(body)).toEqual(['refresh', 'access'])
    expect(body.refresh).toMatch(JWT)
    expect(body.access).toMatch(JWT)
    expect(response.body).toBe(`{"refresh":"${body.refresh}","access":"${body.access}"}`)
    expect(claimsOf(body.refresh)).toMatchObject({
      token_type: 'refresh',
      user_id: Number(userId),
      sub: userId,
    })
    expect(claimsOf(body.access)).toMatchObject({
      token_type: 'access',
      user_id: Number(userId),
      sub: userId,
    })
  })

  test('the pair works: access on a protected view, refresh on the refresh view', async () => {
    const pair = await login(context.app)
    expectBody(await get(context.app, '/api/hello/', pair.access), 200, {
      msg: 'Hello Peter Parker',
    })
    expect((await refresh(pair.refresh)).statusCode).toBe(200)
  })

  test('bad password, unknown user and inactive user: identical 401 bodies and headers', async () => {
    await registerUser(context.app, { username: 'ghost', email: '' })
    const ghost = String((await context.stores.users.findUserByUsernameKey('ghost'))?.id)
    await updateUser(context, ghost, { isActive: false })
    const attempts: Response[] = [
      await postJson(context.app, '/api/token/', { username: 'peter', password: 'wrong' }),
      await postJson(context.app, '/api/token/', { username: 'nobody', password: 'wrong' }),
      await postJson(context.app, '/api/token/', { username: 'ghost', password: PETER.password }),
    ]
    const { date: _date, ...reference } = attempts[0]?.headers ?? {}
    for (const response of attempts) {
      expectBody(response, 401, BAD_CREDENTIALS)
      const { date: _ignored, ...headers } = response.headers
      expect(headers).toEqual(reference)
    }
  })
})

describe('POST /api/token/refresh/', () => {
  test('with rotation (the default): access then refresh, both new and working', async () => {
    const pair = await login(context.app)
    const response = await refresh(pair.refresh)
    expect(response.statusCode).toBe(200)
    const body = response.json() as { access: string; refresh: string }
    expect(Object.keys(body)).toEqual(['access', 'refresh'])
    expect(response.body).toBe(`{"access":"${body.access}","refresh":"${body.refresh}"}`)
    expect(body.refresh).not.toBe(pair.refresh)
    expect(claimsOf(body.refresh).jti).not.toBe(claimsOf(pair.refresh).jti)
    expect((await get(context.app, '/api/hello/', body.access)).statusCode).toBe(200)
    expect((await refresh(body.refresh)).statusCode).toBe(200)
  })

  test('without rotation: only access', async () => {
    context = await buildContractApp({ settings: { ROTATE_REFRESH_TOKENS: false } })
    await registerUser(context.app)
    const pair = await login(context.app)
    const response = await refresh(pair.refresh)
    expect(response.statusCode).toBe(200)
    const body = response.json() as { access: string }
    expect(response.body).toBe(`{"access":"${body.access}"}`)
    expect((await refresh(pair.refresh)).statusCode).toBe(200)
  })

  test.each([
    ['garbage', 'not-a-token'],
    ['three dots of nothing', '..'],
    ['another signing key', forgeToken({ token_type: 'refresh' }, 'x'.repeat(48))],
  ])('invalid: %s', async (_name, token) => {
    expectBody(await refresh(token), 401, tokenNotValid('Token is invalid'))
  })

  test('invalid: tampered claims under the old signature', async () => {
    const pair = await login(context.app)
    const [header, payload, signature] = pair.refresh.split('.')
    const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString())
    const forged = Buffer.from(JSON.stringify({ ...claims, user_id: '2' })).toString('base64url')
    expectBody(
      await refresh(`${header}.${forged}.${signature}`),
      401,
      tokenNotValid('Token is invalid'),
    )
  })

  test('expired: fine one second before exp, expired at exp (frozen clock)', async () => {
    freezeClock()
    const first = await login(context.app)
    const second = await login(context.app)
    advanceClock(86_400 - 1)
    expect((await refresh(first.refresh)).statusCode).toBe(200)
    advanceClock(1)
    expectBody(await refresh(second.refresh), 401, tokenNotValid('Token is expired'))
  })

  test('wrong type: an access token', async () => {
    const pair = await login(context.app)
    expectBody(await refresh(pair.access), 401, tokenNotValid('Token has wrong type'))
  })

  test('blacklisted: reused after rotation', async () => {
    const pair = await login(context.app)
    expect((await refresh(pair.refresh)).statusCode).toBe(200)
    expectBody(await refresh(pair.refresh), 401, tokenNotValid('Token is blacklisted'))
  })

  test('reuse after rotation revokes the whole family (the successor too)', async () => {
    const pair = await login(context.app)
    const successor = ((await refresh(pair.refresh)).json() as { refresh: string }).refresh
    expectBody(await refresh(pair.refresh), 401, tokenNotValid('Token is blacklisted'))
    expectBody(await refresh(successor), 401, tokenNotValid('Token is blacklisted'))
  })

  test('blacklisted: after logout', async () => {
    const pair = await login(context.app)
    expectBody(await postJson(context.app, '/api/token/blacklist/', pair), 200, {})
    expectBody(await refresh(pair.refresh), 401, tokenNotValid('Token is blacklisted'))
  })

  test('deleted user', async () => {
    const pair = await login(context.app)
    await deleteUser(context, userIdOf(pair.refresh))
    expectBody(await refresh(pair.refresh), 401, NO_ACCOUNT_FOR_TOKEN)
  })

  test('inactive user', async () => {
    const pair = await login(context.app)
    await updateUser(context, userIdOf(pair.refresh), { isActive: false })
    expectBody(await refresh(pair.refresh), 401, NO_ACCOUNT_FOR_TOKEN)
  })
})
