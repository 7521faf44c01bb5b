import { StoreUnavailableError } from '@tessera/core'
import { beforeEach, describe, expect, test } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import {
  bearer,
  expectBody,
  login,
  PETER,
  postJson,
  type Response,
  registerUser,
} from './contract-helpers.js'

// api-contract.md: "Store unavailable: 503 {...,"code":"service_unavailable"} + Retry-After.
// Unexpected failure: 500 {"detail":"A server error occurred."}, never a stack."
// security.md: store errors fail closed (503), never 200 with a token nor a misleading 401.

const UNAVAILABLE = {
  detail: 'Service temporarily unavailable, try again later.',
  code: 'service_unavailable',
}

function expectUnavailable(response: Response): void {
  expectBody(response, 503, UNAVAILABLE)
  expect(response.headers['retry-after']).toBe('1')
}

const down = async (): Promise<never> => {
  throw new StoreUnavailableError('store down', 'ECONNREFUSED')
}

let context: ContractApp
let pair: { refresh: string; access: string }

beforeEach(async () => {
  context = await buildContractApp()
  await registerUser(context.app)
  pair = await login(context.app)
})

describe('503 when the store is unavailable', () => {
  test('login: user lookup', async () => {
    Object.assign(context.stores.users, { findUserByUsernameKey: down })
    expectUnavailable(await postJson(context.app, '/api/token/', PETER))
  })

  test('login: session creation', async () => {
    Object.assign(context.stores.sessions, { createSession: down })
    expectUnavailable(await postJson(context.app, '/api/token/', PETER))
  })

  test('refresh', async () => {
    Object.assign(context.stores.sessions, { consumeRefreshToken: down })
    expectUnavailable(await postJson(context.app, '/api/token/refresh/', { refresh: pair.refresh }))
  })

  test('refresh: the user lookup', async () => {
    Object.assign(context.stores.users, { findUserById: down })
    expectUnavailable(await postJson(context.app, '/api/token/refresh/', { refresh: pair.refresh }))
  })

  test('logout', async () => {
    Object.assign(context.stores.sessions, { revokeSession: down })
    expectUnavailable(
      await postJson(context.app, '/api/token/blacklist/', { refresh: pair.refresh }),
    )
  })

  test('verify: revocation lookup', async () => {
    Object.assign(context.stores.revocations, { getCutoff: down })
    expectUnavailable(await postJson(context.app, '/api/token/verify/', { token: pair.access }))
  })

  test('a protected view whose user is not cached', async () => {
    Object.assign(context.stores.users, { findUserById: down })
    context.app.tessera.users.invalidate('1')
    const response = await context.app.inject({
      method: 'GET',
      url: '/api/hello/',
      headers: bearer(pair.access),
    })
    expectUnavailable(response)
    expect(response.headers['www-authenticate']).toBeUndefined()
  })

  test('registration', async () => {
    Object.assign(context.stores.users, { createUser: down })
    const response = await postJson(context.app, '/api/register/', {
      username: 'mj',
      password: PETER.password,
    })
    expectUnavailable(response)
  })
})

describe('503 when the password hasher is saturated', () => {
  test('logins beyond the hasher queue are shed with Retry-After', async () => {
    context = await buildContractApp({
      hasher: { maxConcurrent: 1, maxQueue: 0, argon2: { memoryCost: 32_768, timeCost: 2 } },
      plugin: { throttleRates: { loginIp: null } },
    })
    await registerUser(context.app)
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => postJson(context.app, '/api/token/', PETER)),
    )
    const statuses = responses.map((response) => response.statusCode).sort()
    expect(statuses).toContain(200)
    expect(statuses).toContain(503)
    for (const response of responses) {
      if (response.statusCode === 503) expectUnavailable(response)
    }
  })
})

describe('a login flood is shed before its body is read', () => {
  test('while the hashing queue is full, even an unparsable login gets 503, not 400', async () => {
    context = await buildContractApp({
      hasher: { maxConcurrent: 1, maxQueue: 0, argon2: { memoryCost: 32_768, timeCost: 3 } },
      plugin: { throttleRates: { loginIp: null } },
    })
    await registerUser(context.app)
    expect(context.auth.passwordHasherBusy).toBe(false)
    const first = postJson(context.app, '/api/token/', PETER)
    while (!context.auth.passwordHasherBusy) await new Promise((resolve) => setImmediate(resolve))
    expectUnavailable(await postJson(context.app, '/api/token/', '{"username": oops'))
    expect((await first).statusCode).toBe(200)
    expect(context.auth.passwordHasherBusy).toBe(false)
    // Once the queue has room the same body gets its parse error again.
    const parsed = await postJson(context.app, '/api/token/', '{"username": oops')
    expect(parsed.statusCode).toBe(400)
  })
})

describe('500 for an unexpected failure, never a stack', () => {
  test('a store that throws a plain error', async () => {
    Object.assign(context.stores.sessions, {
      createSession: async () => {
        throw new Error('boom at /srv/secret/path.ts:12:3 with password correct horse battery')
      },
    })
    // Not `send`: its rules refuse 500s, and this is the one place a 500 is the contract.
    const response = await context.app.inject({
      method: 'POST',
      url: '/api/token/',
      payload: PETER,
    })
    expect(response.statusCode).toBe(500)
    expect(response.json()).toEqual({ detail: 'A server error occurred.' })
    expect(response.body).toBe('{"detail":"A server error occurred."}')
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(response.headers['www-authenticate']).toBeUndefined()
  })
})
