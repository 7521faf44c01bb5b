import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { buildContractApp } from './contract-app.js'
import {
  advanceClock,
  BAD_CREDENTIALS,
  claimsOf,
  expectBody,
  freezeClock,
  login,
  methodNotAllowed,
  NOT_FOUND,
  PETER,
  postJson,
  registerUser,
  send,
  tokenNotValid,
  updateUser,
} from './contract-helpers.js'

// Plugin options beyond simplejwt's bodies: responseExtras, and simplejwt's sliding views that
// exist only when `slidingTokens: true`.

const START = Date.UTC(2030, 0, 1, 12)

beforeEach(() => {
  freezeClock(START)
})

afterEach(() => {
  vi.useRealTimers()
})

describe('responseExtras', () => {
  async function pairBodies(responseExtras: { user?: boolean; accessExpiresAt?: boolean }) {
    const { app } = await buildContractApp({ plugin: { responseExtras } })
    await registerUser(app)
    const obtained = await postJson(app, '/api/token/', PETER)
    const { refresh } = obtained.json() as { refresh: string }
    const refreshed = await postJson(app, '/api/token/refresh/', { refresh })
    return { obtained, refreshed }
  }

  const EXPIRES_AT = new Date(START + 300_000).toISOString()
  const USER = {
    id: '1',
    username: 'peter',
    email: 'peter@example.com',
    first_name: 'Peter',
    last_name: 'Parker',
  }

  test('unset: simplejwt bodies only', async () => {
    const { obtained, refreshed } = await pairBodies({})
    expect(Object.keys(obtained.json())).toEqual(['refresh', 'access'])
    expect(Object.keys(refreshed.json())).toEqual(['access', 'refresh'])
  })

  test('user: on the login body only', async () => {
    const { obtained, refreshed } = await pairBodies({ user: true })
    const body = obtained.json() as { refresh: string; access: string }
    expectBody(obtained, 200, { refresh: body.refresh, access: body.access, user: USER })
    expect(Object.keys(refreshed.json())).toEqual(['access', 'refresh'])
  })

  test('accessExpiresAt: on login and refresh bodies', async () => {
    const { obtained, refreshed } = await pairBodies({ accessExpiresAt: true })
    const body = obtained.json() as { refresh: string; access: string }
    expectBody(obtained, 200, { ...body, access_expires_at: EXPIRES_AT })
    expect(claimsOf(body.access).exp).toBe(START / 1000 + 300)
    const next = refreshed.json() as { access: string; refresh: string }
    expectBody(refreshed, 200, {
      access: next.access,
      refresh: next.refresh,
      access_expires_at: EXPIRES_AT,
    })
  })

  test('both, in order', async () => {
    const { obtained } = await pairBodies({ user: true, accessExpiresAt: true })
    const body = obtained.json() as { refresh: string; access: string }
    expectBody(obtained, 200, {
      refresh: body.refresh,
      access: body.access,
      access_expires_at: EXPIRES_AT,
      user: USER,
    })
  })

  test('false is the same as unset', async () => {
    const { obtained } = await pairBodies({ user: false, accessExpiresAt: false })
    expect(Object.keys(obtained.json())).toEqual(['refresh', 'access'])
  })
})

describe('sliding views are off by default', () => {
  test.each(['/api/token/sliding/', '/api/token/sliding', '/api/token/sliding/refresh/'])(
    '%s: 404',
    async (url) => {
      const { app } = await buildContractApp()
      await registerUser(app)
      expectBody(await postJson(app, url, { ...PETER, token: 'x' }), 404, NOT_FOUND)
    },
  )
})

describe('sliding views with slidingTokens: true', () => {
  let app: FastifyInstance
  let context: Awaited<ReturnType<typeof buildContractApp>>

  beforeEach(async () => {
    context = await buildContractApp({ plugin: { slidingTokens: true } })
    app = context.app
    await registerUser(app)
  })

  const obtain = () => postJson(app, '/api/token/sliding/', PETER)
  const slide = (token: string) => postJson(app, '/api/token/sliding/refresh/', { token })

  test('obtain: exactly {"token"}, a sliding token', async () => {
    const response = await obtain()
    const { token } = response.json() as { token: string }
    expectBody(response, 200, { token })
    expect(claimsOf(token)).toMatchObject({
      token_type: 'sliding',
      exp: START / 1000 + 300,
      refresh_exp: START / 1000 + 86_400,
    })
  })

  test('obtain: bad credentials and inactive user alike', async () => {
    expectBody(
      await postJson(app, '/api/token/sliding/', { ...PETER, password: 'x' }),
      401,
      BAD_CREDENTIALS,
    )
    await updateUser(context, '1', { isActive: false })
    expectBody(await obtain(), 401, BAD_CREDENTIALS)
  })

  test('refresh: a new token, past exp but before refresh_exp', async () => {
    const { token } = (await obtain()).json() as { token: string }
    advanceClock(600)
    const response = await slide(token)
    const next = (response.json() as { token: string }).token
    expectBody(response, 200, { token: next })
    expect(claimsOf(next)).toMatchObject({
      exp: START / 1000 + 600 + 300,
      refresh_exp: START / 1000 + 86_400,
    })
  })

  test('refresh: expired at refresh_exp', async () => {
    const { token } = (await obtain()).json() as { token: string }
    advanceClock(86_400)
    expectBody(await slide(token), 401, tokenNotValid('Token is expired'))
  })

  test('refresh: an access token or garbage is refused', async () => {
    const { access } = await login(app)
    // simplejwt says "Token has wrong type" here; Tessera's verifier reads refresh_exp first
    // (core's clock-edges test pins token_claim_invalid), so the message is "Token is invalid".
    expectBody(await slide(access), 401, tokenNotValid('Token is invalid'))
    expectBody(await slide('nope'), 401, tokenNotValid('Token is invalid'))
  })

  test('field errors and 405', async () => {
    expectBody(await postJson(app, '/api/token/sliding/refresh/', {}), 400, {
      token: ['This field is required.'],
    })
    expectBody(await postJson(app, '/api/token/sliding/', { username: 'peter' }), 400, {
      password: ['This field is required.'],
    })
    const response = await send(app, { method: 'GET', url: '/api/token/sliding/' })
    expectBody(response, 405, methodNotAllowed('GET'))
    expect(response.headers.allow).toBe('POST, OPTIONS')
  })
})
