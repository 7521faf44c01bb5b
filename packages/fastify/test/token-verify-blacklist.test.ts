import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import {
  advanceClock,
  bearer,
  expectBody,
  forgeToken,
  freezeClock,
  login,
  postJson,
  registerUser,
  send,
  tokenNotValid,
  VERIFY_BLACKLISTED,
} from './contract-helpers.js'

// api-contract.md, "Token endpoints": POST /api/token/verify/ and POST /api/token/blacklist/.

let context: ContractApp
let pair: { refresh: string; access: string }

beforeEach(async () => {
  context = await buildContractApp()
  await registerUser(context.app)
  pair = await login(context.app)
})

afterEach(() => {
  vi.useRealTimers()
})

const verify = (token: string) => postJson(context.app, '/api/token/verify/', { token })
const blacklist = (token: string) =>
  postJson(context.app, '/api/token/blacklist/', { refresh: token })
const refresh = (token: string) => postJson(context.app, '/api/token/refresh/', { refresh: token })

describe('POST /api/token/verify/', () => {
  test('{} for a valid access token', async () => {
    expectBody(await verify(pair.access), 200, {})
  })

  test('{} for a valid refresh token', async () => {
    expectBody(await verify(pair.refresh), 200, {})
  })

  test.each([
    ['garbage', 'abc'],
    [
      'another key',
      forgeToken({ token_type: 'access', exp: 4e9, jti: 'a', user_id: '1' }, 'k'.repeat(40)),
    ],
    ['a truncated signature', 'TRUNCATE'],
  ])('401 invalid: %s', async (_name, token) => {
    const sent = token === 'TRUNCATE' ? pair.access.slice(0, -4) : token
    expectBody(await verify(sent), 401, tokenNotValid('Token is invalid'))
  })

  test('401 expired, access and refresh (frozen clock)', async () => {
    freezeClock()
    const fresh = await login(context.app)
    advanceClock(300 - 1)
    expectBody(await verify(fresh.access), 200, {})
    advanceClock(1)
    expectBody(await verify(fresh.access), 401, tokenNotValid('Token is expired'))
    advanceClock(86_400 - 300)
    expectBody(await verify(fresh.refresh), 401, tokenNotValid('Token is expired'))
  })

  test('400 for a refresh token revoked by logout', async () => {
    expectBody(await blacklist(pair.refresh), 200, {})
    expectBody(await verify(pair.refresh), 400, VERIFY_BLACKLISTED)
  })

  test('400 for a refresh token consumed by rotation (simplejwt blacklists it)', async () => {
    expect((await refresh(pair.refresh)).statusCode).toBe(200)
    expectBody(await verify(pair.refresh), 400, VERIFY_BLACKLISTED)
  })

  test('400 for tokens issued before a logout-all cut-off, access and refresh', async () => {
    freezeClock()
    const before = await login(context.app)
    advanceClock(1)
    const response = await send(context.app, {
      method: 'POST',
      url: '/api/logout/all/',
      headers: bearer(before.access),
    })
    expectBody(response, 200, {})
    expectBody(await verify(before.access), 400, VERIFY_BLACKLISTED)
    expectBody(await verify(before.refresh), 400, VERIFY_BLACKLISTED)
    advanceClock(1)
    const after = await login(context.app)
    expectBody(await verify(after.access), 200, {})
    expectBody(await verify(after.refresh), 200, {})
  })

  test('an expired token is reported expired, not blacklisted (claims first)', async () => {
    freezeClock()
    const fresh = await login(context.app)
    expectBody(await blacklist(fresh.refresh), 200, {})
    advanceClock(86_400)
    expectBody(await verify(fresh.refresh), 401, tokenNotValid('Token is expired'))
  })
})

describe('POST /api/token/blacklist/', () => {
  test('{} then the refresh token is blacklisted everywhere', async () => {
    expectBody(await blacklist(pair.refresh), 200, {})
    expectBody(await refresh(pair.refresh), 401, tokenNotValid('Token is blacklisted'))
    expectBody(await blacklist(pair.refresh), 401, tokenNotValid('Token is blacklisted'))
    expectBody(await verify(pair.refresh), 400, VERIFY_BLACKLISTED)
  })

  test('only that session ends', async () => {
    const other = await login(context.app)
    expectBody(await blacklist(pair.refresh), 200, {})
    expect((await refresh(other.refresh)).statusCode).toBe(200)
  })

  test('a refresh token consumed by rotation is blacklisted', async () => {
    expect((await refresh(pair.refresh)).statusCode).toBe(200)
    expectBody(await blacklist(pair.refresh), 401, tokenNotValid('Token is blacklisted'))
  })

  test('401 wrong type for an access token', async () => {
    expectBody(await blacklist(pair.access), 401, tokenNotValid('Token has wrong type'))
  })

  test('401 invalid', async () => {
    expectBody(await blacklist('a.b.c'), 401, tokenNotValid('Token is invalid'))
  })

  test('401 expired (frozen clock)', async () => {
    freezeClock()
    const fresh = await login(context.app)
    advanceClock(86_400)
    expectBody(await blacklist(fresh.refresh), 401, tokenNotValid('Token is expired'))
  })
})
