import { afterEach, describe, expect, test, vi } from 'vitest'
import { buildContractApp, type ContractAppOptions } from './contract-app.js'
import {
  accessClaims,
  advanceClock,
  claimsOf,
  expectBody,
  forgeToken,
  freezeClock,
  get,
  givenTokenNotValid,
  login,
  NOT_AUTHENTICATED,
  registerUser,
  send,
} from './contract-helpers.js'

// api-contract.md, "Tokens" and "Settings", as seen through the HTTP API.

afterEach(() => {
  vi.useRealTimers()
})

async function pairFor(options: ContractAppOptions = {}) {
  const context = await buildContractApp(options)
  await registerUser(context.app)
  return { ...context, pair: await login(context.app) }
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString())
}

describe('token layout', () => {
  test('header {"alg", "typ": "JWT", "kid"}', async () => {
    const { pair } = await pairFor()
    for (const token of [pair.refresh, pair.access]) {
      const header = headerOf(token)
      expect(Object.keys(header)).toEqual(['alg', 'typ', 'kid'])
      expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT', kid: expect.any(String) })
    }
  })

  test('payload in order: token_type, exp, iat, jti, user_id, sub, sid', async () => {
    freezeClock()
    const { pair } = await pairFor()
    const now = Date.now() / 1000
    const refresh = claimsOf(pair.refresh)
    const access = claimsOf(pair.access)
    const order = ['token_type', 'exp', 'iat', 'jti', 'user_id', 'sub', 'sid']
    expect(Object.keys(refresh)).toEqual(order)
    expect(Object.keys(access)).toEqual(order)
    expect(refresh).toMatchObject({ token_type: 'refresh', exp: now + 86_400, iat: now })
    expect(access).toMatchObject({ token_type: 'access', exp: now + 300, iat: now })
    for (const claims of [refresh, access]) {
      expect(claims.jti).toMatch(/^[0-9a-f]{32}$/)
      expect(claims.user_id).toBe(1)
      expect(claims.sub).toBe('1')
    }
    expect(access.jti).not.toBe(refresh.jti)
    // Both name the session (the refresh family) the login opened.
    expect(refresh.sid).toMatch(/^[0-9a-f]{32}$/)
    expect(access.sid).toBe(refresh.sid)
  })

  test('no personal data in tokens by default', async () => {
    const { pair } = await pairFor()
    for (const token of [pair.refresh, pair.access]) {
      const text = JSON.stringify(claimsOf(token))
      expect(text).not.toMatch(/peter|parker|example\.com/i)
    }
  })

  test('ISSUER and AUDIENCE: iss then aud after sub, before sid, and required', async () => {
    const settings = { ISSUER: 'https://auth.example', AUDIENCE: 'api' }
    const { app, pair } = await pairFor({ settings })
    const claims = claimsOf(pair.access)
    expect(Object.keys(claims).slice(-4)).toEqual(['sub', 'iss', 'aud', 'sid'])
    expect(claims).toMatchObject({ iss: settings.ISSUER, aud: settings.AUDIENCE })
    expect((await get(app, '/api/hello/', pair.access)).statusCode).toBe(200)
    for (const patch of [{ aud: 'other' }, { iss: 'https://evil.example' }, { aud: undefined }]) {
      const forged = forgeToken({ ...claims, ...patch })
      expectBody(await get(app, '/api/hello/', forged), 401, givenTokenNotValid('Token is invalid'))
    }
  })
})

describe('settings', () => {
  test('ACCESS_TOKEN_LIFETIME and REFRESH_TOKEN_LIFETIME as durations', async () => {
    const { pair } = await pairFor({
      settings: { ACCESS_TOKEN_LIFETIME: '15m', REFRESH_TOKEN_LIFETIME: '2d' },
    })
    const access = claimsOf(pair.access) as { exp: number; iat: number }
    const refresh = claimsOf(pair.refresh) as { exp: number; iat: number }
    expect(access.exp - access.iat).toBe(900)
    expect(refresh.exp - refresh.iat).toBe(172_800)
  })

  test('AUTH_HEADER_TYPES: every listed scheme, the first in the challenge', async () => {
    const { app, pair } = await pairFor({ settings: { AUTH_HEADER_TYPES: ['Bearer', 'JWT'] } })
    for (const scheme of ['Bearer', 'JWT']) {
      const response = await send(app, {
        method: 'GET',
        url: '/api/hello/',
        headers: { authorization: `${scheme} ${pair.access}` },
      })
      expectBody(response, 200, { msg: 'Hello Peter Parker' })
    }
    const other = await send(app, {
      method: 'GET',
      url: '/api/hello/',
      headers: { authorization: `Token ${pair.access}` },
    })
    expectBody(other, 401, NOT_AUTHENTICATED)
  })

  test('LEEWAY tolerates clock skew on exp, up to the leeway', async () => {
    freezeClock()
    const { app, pair } = await pairFor({ settings: { LEEWAY: 30 } })
    advanceClock(300 + 29)
    expect((await get(app, '/api/hello/', pair.access)).statusCode).toBe(200)
    advanceClock(1)
    expectBody(
      await get(app, '/api/hello/', pair.access),
      401,
      givenTokenNotValid('Token is expired'),
    )
  })

  test('USER_ID_CLAIM renames the claim', async () => {
    const { app, pair } = await pairFor({ settings: { USER_ID_CLAIM: 'uid' } })
    expect(claimsOf(pair.access)).toMatchObject({ uid: 1, sub: '1' })
    expect(claimsOf(pair.access)).not.toHaveProperty('user_id')
    expect((await get(app, '/api/hello/', pair.access)).statusCode).toBe(200)
    const legacy = forgeToken(accessClaims('1'))
    expectBody(await get(app, '/api/hello/', legacy), 401, {
      detail: 'Token contained no recognizable user identification',
      code: 'token_not_valid',
    })
  })

  test('tokens signed by simplejwt with the same SIGNING_KEY (no kid, integer user_id) work', async () => {
    const { app } = await pairFor()
    const token = forgeToken(accessClaims('1', { user_id: 1, sub: undefined }))
    expectBody(await get(app, '/api/hello/', token), 200, { msg: 'Hello Peter Parker' })
  })
})
