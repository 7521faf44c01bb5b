import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import {
  accessClaims,
  advanceClock,
  BAD_HEADER,
  deleteUser,
  expectBody,
  forgeToken,
  freezeClock,
  get,
  givenTokenNotValid,
  login,
  NOT_AUTHENTICATED,
  registerUser,
  send,
  USER_INACTIVE,
  USER_NOT_FOUND,
  updateUser,
  userIdOf,
} from './contract-helpers.js'

// api-contract.md, "Protected endpoints (JWTAuthentication semantics)". DRF authenticates
// before permissions, so every token problem is a 401 on a public route too.

let context: ContractApp
let app: FastifyInstance
let pair: { refresh: string; access: string }
let userId: string

/** A host route open to everyone, registered after the plugin. */
function publicRoute(host: FastifyInstance): void {
  host.get('/public', async (request) => ({
    public: true,
    user: request.user.isAuthenticated ? request.user.id : null,
  }))
}

beforeEach(async () => {
  context = await buildContractApp({ routes: publicRoute })
  app = context.app
  await registerUser(app)
  pair = await login(app)
  userId = userIdOf(pair.access)
})

afterEach(() => {
  vi.useRealTimers()
})

const URLS = ['/public', '/api/hello/'] as const

function withAuthorization(url: string, authorization: string) {
  return send(app, { method: 'GET', url, headers: { authorization } })
}

describe('no header, or another scheme: anonymous', () => {
  test.each(['', 'Basic x', 'Token x', 'bearer x', 'JWT x', 'BEARER x'])('"%s"', async (value) => {
    const anonymous =
      value === '' ? await get(app, '/api/hello/') : await withAuthorization('/api/hello/', value)
    expectBody(anonymous, 401, NOT_AUTHENTICATED)
    const open =
      value === '' ? await get(app, '/public') : await withAuthorization('/public', value)
    expectBody(open, 200, { public: true, user: null })
  })

  test('a valid token authenticates on the public route too', async () => {
    expectBody(await get(app, '/public', pair.access), 200, { public: true, user: userId })
  })
})

describe('Bearer with zero or several values', () => {
  test.each(['Bearer', 'Bearer ', 'Bearer a b', `Bearer ${'x'} ${'y'} z`, '  Bearer  '])(
    '"%s"',
    async (value) => {
      for (const url of URLS) expectBody(await withAuthorization(url, value), 401, BAD_HEADER)
    },
  )

  test('a valid token followed by another value is still a bad header', async () => {
    const value = `Bearer ${pair.access} ${pair.access}`
    expectBody(await withAuthorization('/public', value), 401, BAD_HEADER)
  })
})

describe('every token problem is a 401, even on a public route', () => {
  async function expectTokenProblem(token: string, message: string): Promise<void> {
    for (const url of URLS) {
      expectBody(await get(app, url, token), 401, givenTokenNotValid(message))
    }
  }

  test('invalid: garbage', async () => {
    await expectTokenProblem('not-a-token', 'Token is invalid')
  })

  test('invalid: another signing key', async () => {
    await expectTokenProblem(forgeToken(accessClaims(userId), 'z'.repeat(48)), 'Token is invalid')
  })

  test('invalid: tampered claims under the old signature', async () => {
    const [header, , signature] = pair.access.split('.')
    const payload = Buffer.from(JSON.stringify(accessClaims('2'))).toString('base64url')
    await expectTokenProblem(`${header}.${payload}.${signature}`, 'Token is invalid')
  })

  test('expired (frozen clock)', async () => {
    freezeClock()
    const fresh = await login(app)
    advanceClock(300 - 1)
    expect((await get(app, '/api/hello/', fresh.access)).statusCode).toBe(200)
    advanceClock(1)
    await expectTokenProblem(fresh.access, 'Token is expired')
  })

  test('wrong type: a refresh token as bearer', async () => {
    await expectTokenProblem(pair.refresh, 'Token has wrong type')
  })

  test('no id: a token without jti', async () => {
    await expectTokenProblem(
      forgeToken(accessClaims(userId, { jti: undefined })),
      'Token has no id',
    )
  })

  test("no 'exp' claim", async () => {
    await expectTokenProblem(
      forgeToken(accessClaims(userId, { exp: undefined })),
      "Token has no 'exp' claim",
    )
  })

  test('a forged token with our key and every claim is accepted (the forging is sound)', async () => {
    expectBody(await get(app, '/public', forgeToken(accessClaims(userId))), 200, {
      public: true,
      user: userId,
    })
  })

  test('no user id: simplejwt\'s "no recognizable user identification"', async () => {
    const token = forgeToken(accessClaims(userId, { user_id: undefined }))
    for (const url of URLS) {
      expectBody(await get(app, url, token), 401, {
        detail: 'Token contained no recognizable user identification',
        code: 'token_not_valid',
      })
    }
  })
})

describe('the user behind a valid token', () => {
  test('gone: user_not_found', async () => {
    await deleteUser(context, userId)
    for (const url of URLS) expectBody(await get(app, url, pair.access), 401, USER_NOT_FOUND)
  })

  test('never existed: user_not_found', async () => {
    const token = forgeToken(accessClaims('999'))
    for (const url of URLS) expectBody(await get(app, url, token), 401, USER_NOT_FOUND)
  })

  test('inactive: user_inactive', async () => {
    await updateUser(context, userId, { isActive: false })
    for (const url of URLS) expectBody(await get(app, url, pair.access), 401, USER_INACTIVE)
  })

  test('inactive users pass when CHECK_USER_IS_ACTIVE is off', async () => {
    context = await buildContractApp({ settings: { CHECK_USER_IS_ACTIVE: false } })
    await registerUser(context.app)
    const tokens = await login(context.app)
    await updateUser(context, userIdOf(tokens.access), { isActive: false })
    expectBody(await get(context.app, '/api/hello/', tokens.access), 200, {
      msg: 'Hello Peter Parker',
    })
  })

  test('integer user_id claims of older simplejwt tokens are accepted', async () => {
    const token = forgeToken(accessClaims(userId, { user_id: Number(userId) }))
    expectBody(await get(app, '/public', token), 200, { public: true, user: userId })
  })
})
