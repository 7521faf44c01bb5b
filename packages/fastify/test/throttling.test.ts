import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { buildContractApp } from './contract-app.js'
import {
  advanceClock,
  BAD_CREDENTIALS,
  expectBody,
  freezeClock,
  get,
  login,
  PETER,
  postJson,
  type Response,
  registerUser,
  tokenNotValid,
} from './contract-helpers.js'

// api-contract.md: "Throttled: 429 {"detail":"Request was throttled. Expected available in N
// seconds."} + Retry-After: N"; security.md: throttle before hashing.

function expectThrottled(response: Response, seconds: number): void {
  expectBody(response, 429, {
    detail: `Request was throttled. Expected available in ${seconds} seconds.`,
  })
  expect(response.headers['retry-after']).toBe(String(seconds))
}

beforeEach(() => {
  freezeClock()
})

afterEach(() => {
  vi.useRealTimers()
})

describe('login attempts (default 5/min per username)', () => {
  let app: FastifyInstance
  let verifies: number

  beforeEach(async () => {
    verifies = 0
    ;({ app } = await buildContractApp({ onVerify: () => verifies++ }))
    await registerUser(app)
  })

  const attempt = (username: string, password: string) =>
    postJson(app, '/api/token/', { username, password })

  test('the 6th attempt inside the window is a 429, before any password hash', async () => {
    for (let i = 1; i <= 5; i++) {
      expectBody(await attempt('peter', `wrong ${i}`), 401, BAD_CREDENTIALS)
      expect(verifies).toBe(i)
    }
    // Even the right password: the throttle answers first and nothing is hashed.
    expectThrottled(await attempt('peter', PETER.password), 60)
    expectThrottled(await attempt('peter', 'wrong again'), 60)
    expect(verifies).toBe(5)
  })

  test('the wait counts down and the window reopens (DRF SimpleRateThrottle)', async () => {
    for (let i = 0; i < 5; i++) await attempt('peter', 'wrong')
    advanceClock(59)
    // DRF's ngettext: "1 second." in the singular.
    expectBody(await attempt('peter', PETER.password), 429, {
      detail: 'Request was throttled. Expected available in 1 second.',
    })
    advanceClock(1)
    expect((await attempt('peter', PETER.password)).statusCode).toBe(200)
  })

  test('look-alike usernames share one bucket (canonical key)', async () => {
    for (const username of ['peter', 'Peter ', 'PETER', 'ｐｅｔｅｒ', ' \tpeter']) {
      await attempt(username, 'wrong')
    }
    expectThrottled(await attempt('peter', PETER.password), 60)
    expect(verifies).toBe(5)
  })

  test('another username is not throttled by them', async () => {
    for (let i = 0; i < 5; i++) await attempt('peter', 'wrong')
    expectBody(await attempt('mj', 'wrong'), 401, BAD_CREDENTIALS)
    expect(verifies).toBe(6)
  })

  test('per client IP across usernames (loginIp)', async () => {
    ;({ app } = await buildContractApp({
      onVerify: () => verifies++,
      plugin: { throttleRates: { loginUsername: null, loginIp: '3/min' } },
    }))
    verifies = 0
    for (const username of ['a', 'b', 'c']) await attempt(username, 'wrong')
    expectThrottled(await attempt('d', 'wrong'), 60)
    expect(verifies).toBe(3)
  })

  test('a login rate of null turns it off', async () => {
    ;({ app } = await buildContractApp({
      plugin: { throttleRates: { loginUsername: null, loginIp: null } },
    }))
    for (let i = 0; i < 8; i++) expect((await attempt('peter', 'wrong')).statusCode).toBe(401)
  })
})

describe('registration (default 10/hour per IP)', () => {
  test('the 11th registration is a 429', async () => {
    const { app } = await buildContractApp()
    for (let i = 0; i < 10; i++) {
      const response = await postJson(app, '/api/register/', {
        username: `user${i}`,
        password: PETER.password,
      })
      expect(response.statusCode).toBe(201)
    }
    const eleventh = await postJson(app, '/api/register/', {
      username: 'user10',
      password: PETER.password,
    })
    expectThrottled(eleventh, 3600)
  })

  test('a custom rate', async () => {
    const { app } = await buildContractApp({ plugin: { throttleRates: { register: '1/min' } } })
    await registerUser(app)
    expectThrottled(await postJson(app, '/api/register/', { username: 'mj' }), 60)
  })
})

describe('anon and user throttles, when rates are set', () => {
  const verify = (app: FastifyInstance) => postJson(app, '/api/token/verify/', { token: 'x' })

  test('off by default, as in DRF', async () => {
    const { app } = await buildContractApp()
    for (let i = 0; i < 30; i++) {
      expectBody(await verify(app), 401, tokenNotValid('Token is invalid'))
    }
  })

  test('anon: every API request of an anonymous client, per IP', async () => {
    const { app } = await buildContractApp({ plugin: { throttleRates: { anon: '3/min' } } })
    for (let i = 0; i < 3; i++) expect((await verify(app)).statusCode).toBe(401)
    expectThrottled(await verify(app), 60)
    expectThrottled(await postJson(app, '/api/token/', PETER), 60)
  })

  test('anon does not apply to authenticated requests', async () => {
    const { app } = await buildContractApp({ plugin: { throttleRates: { anon: '3/min' } } })
    await registerUser(app)
    const { access } = await login(app)
    for (let i = 0; i < 5; i++) {
      expectBody(await get(app, '/api/hello/', access), 200, { msg: 'Hello Peter Parker' })
    }
  })

  test('user: per user id', async () => {
    const { app } = await buildContractApp({ plugin: { throttleRates: { user: '2/min' } } })
    await registerUser(app)
    await registerUser(app, { username: 'mj', email: '' })
    advanceClock(60)
    const peter = await login(app)
    const mj = await login(app, { username: 'mj', password: PETER.password })
    advanceClock(60)
    for (let i = 0; i < 2; i++)
      expect((await get(app, '/api/hello/', peter.access)).statusCode).toBe(200)
    expectThrottled(await get(app, '/api/hello/', peter.access), 60)
    expect((await get(app, '/api/hello/', mj.access)).statusCode).toBe(200)
  })
})
