import { connect } from 'node:net'
import { type PasswordHasherOptions, StoreUnavailableError } from '@tessera/core'
import type { TesseraPluginOptions } from '@tessera/fastify'
import { beforeEach, describe, expect, test } from 'vitest'
import { buildContractApp, type ContractApp, type ContractAppOptions } from './contract-app.js'
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

/**
 * The contract app with one hashing slot and no queue, login throttles off, and Peter
 * registered: every login beyond the one being hashed finds the hasher full.
 */
async function oneHashAtATime(
  hasher: PasswordHasherOptions,
  options: Pick<ContractAppOptions, 'onVerify'> & { plugin?: Partial<TesseraPluginOptions> } = {},
): Promise<ContractApp> {
  const built = await buildContractApp({
    ...options,
    hasher: { maxConcurrent: 1, maxQueue: 0, ...hasher },
    plugin: { throttleRates: { loginIp: null, loginUsername: null }, ...options.plugin },
  })
  await registerUser(built.app)
  return built
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

  test("verify: the access token's session lookup", async () => {
    Object.assign(context.stores.sessions, { findSession: down })
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
    context = await oneHashAtATime({ maxWaitMs: 0, argon2: { memoryCost: 32_768, timeCost: 2 } })
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

describe('a login finding the hashing queue full waits for room, up to maxWaitMs', () => {
  test('each waiting login gets its turn when the one before it is hashed', async () => {
    // One slot, no queue: without the wait five of these six would be refused.
    context = await oneHashAtATime({ maxWaitMs: 10_000 })
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => postJson(context.app, '/api/token/', PETER)),
    )
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200, 200])
  })

  test('refused with 503 and Retry-After when no room frees up in time', async () => {
    // A hash that takes far longer than the wait.
    context = await oneHashAtATime({ maxWaitMs: 20, argon2: { memoryCost: 65_536, timeCost: 10 } })
    const first = postJson(context.app, '/api/token/', PETER)
    while (!context.auth.passwordHasherBusy) await new Promise((resolve) => setImmediate(resolve))
    const started = performance.now()
    expectUnavailable(await postJson(context.app, '/api/token/', PETER))
    expect(performance.now() - started).toBeGreaterThanOrEqual(15)
    expect((await first).statusCode).toBe(200)
  })

  test('a client that hangs up while waiting is not hashed for', async () => {
    const verifies: string[] = []
    context = await oneHashAtATime(
      { argon2: { memoryCost: 65_536, timeCost: 4 } },
      { onVerify: (format) => verifies.push(format) },
    )
    const url = await context.app.listen({ host: '127.0.0.1', port: 0 })
    const first = fetch(`${url}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(PETER),
    })
    while (!context.auth.passwordHasherBusy) await new Promise((resolve) => setImmediate(resolve))
    const { port } = new URL(url)
    const socket = connect(Number(port), '127.0.0.1')
    const body = JSON.stringify(PETER)
    socket.write(
      `POST /api/token/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    )
    // The server reads the login's headers, finds the hasher full and waits for room: leave then.
    while (context.hasher.load.waiting === 0) {
      await new Promise((resolve) => setImmediate(resolve))
    }
    socket.destroy()
    expect((await first).status).toBe(200)
    // No hash is spent on the departed client: the next login is hashed, and only those two
    // were.
    const next = await postJson(context.app, '/api/token/', PETER)
    expect(next.statusCode).toBe(200)
    expect(verifies).toEqual(['argon2id', 'argon2id'])
    await context.app.close()
  })
})

describe('a login flood is shed before its body is read', () => {
  test.each(['/api/token/', '/api/token/sliding/'])(
    'while the hashing queue is full, even an unparsable %s gets 503, not 400',
    async (path) => {
      context = await oneHashAtATime(
        { maxWaitMs: 0, argon2: { memoryCost: 32_768, timeCost: 3 } },
        { plugin: { slidingTokens: true } },
      )
      expect(context.auth.passwordHasherBusy).toBe(false)
      const first = postJson(context.app, path, PETER)
      while (!context.auth.passwordHasherBusy) await new Promise((resolve) => setImmediate(resolve))
      expectUnavailable(await postJson(context.app, path, '{"username": oops'))
      expect((await first).statusCode).toBe(200)
      expect(context.auth.passwordHasherBusy).toBe(false)
      // Once the queue has room the same body gets its parse error again.
      const parsed = await postJson(context.app, path, '{"username": oops')
      expect(parsed.statusCode).toBe(400)
    },
  )
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
