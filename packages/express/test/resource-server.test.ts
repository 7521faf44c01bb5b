import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import {
  generateSigningKey,
  hasPermissions,
  isAdminUser,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  KeyRing,
  RevocationView,
  type SigningKey,
  TokenIssuer,
} from '@tessera/core'
import {
  requirePermission,
  type TesseraRequest,
  type TesseraResourceMiddleware,
  tesseraResourceServer,
} from '@tessera/express'
import express5 from 'express'
import express4 from 'express4'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../../core/test/jwks/jwks-server.js'
import { ManualBus } from '../../core/test/revocation/bus-fixture.js'

const key = generateSigningKey('ES256')
const rotated = generateSigningKey('ES256')
const jwksOf = (...keys: SigningKey[]) => KeyRing.forVerification(keys).toJwks()
// Issued a minute back: the servers' clocks (real or frozen at start) are past iat.
const issuedAt = () => Date.now() / 1000 - 60
const issue = (
  signing: SigningKey = key,
  claims: Record<string, unknown> = {},
  sessionId?: string,
) =>
  new TokenIssuer({
    keyRing: new KeyRing([signing]),
    clock: issuedAt,
    customClaims: () => claims as never,
    audience: 'api',
  }).issueTokenPair({ id: 42 }, sessionId)

const CHALLENGE = 'Bearer realm="api"'
const NOT_AUTHENTICATED = { detail: 'Authentication credentials were not provided.' }
const DENIED = { detail: 'You do not have permission to perform this action.' }
const invalidBody = (message: string) => ({
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
})

let jwks: JwksServer
beforeAll(async () => {
  jwks = await startJwksServer(jwksOf(key))
})
afterAll(() => jwks.close())

const VERSIONS = [
  ['Express 5', express5],
  ['Express 4', express4],
] as const

describe.each(VERSIONS)('tesseraResourceServer on %s', (_name, express) => {
  let server: Server
  let base: string
  let middleware: TesseraResourceMiddleware
  const bus = new ManualBus()
  let now = Date.now() / 1000
  const view = new RevocationView({ clock: () => now })

  async function listen(options: Parameters<typeof tesseraResourceServer>[0]) {
    const app = express()
    middleware = tesseraResourceServer(options)
    app.use(middleware)
    const who = (request: TesseraRequest) =>
      request.user?.isAuthenticated === true ? request.user.id : 'anonymous'
    app.get('/public', (request, response) => {
      response.json({ user: who(request) })
    })
    app.get('/private', requirePermission(isAuthenticated), (request, response) => {
      response.json({ user: who(request) })
    })
    app.get('/admin', requirePermission(isAdminUser), (_request, response) => {
      response.json({ admin: true })
    })
    app.all('/posts', requirePermission(isAuthenticatedOrReadOnly), (request, response) => {
      response.json({ method: request.method })
    })
    app.post(
      '/posts/publish',
      requirePermission(isAuthenticated, hasPermissions('blog.add_post')),
      (_request, response) => {
        response.json({ published: true })
      },
    )
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    await middleware.ready()
  }

  async function call(path: string, authorization?: string, method = 'GET') {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: authorization === undefined ? {} : { authorization },
    })
    return {
      status: response.status,
      body: (await response.json()) as unknown,
      challenge: response.headers.get('www-authenticate'),
      retryAfter: response.headers.get('retry-after'),
      type: response.headers.get('content-type'),
    }
  }

  afterEach(async () => {
    middleware.close()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  it('lets anonymous requests through public routes and answers 401 on guarded ones', async () => {
    await listen({ jwksUri: jwks.url, audience: 'api' })
    expect(await call('/public')).toMatchObject({ status: 200, body: { user: 'anonymous' } })
    expect(await call('/private', 'Basic dXNlcjpwYXNz')).toMatchObject({
      status: 401,
      body: NOT_AUTHENTICATED,
      challenge: CHALLENGE,
    })
    expect(await call('/posts')).toMatchObject({ status: 200, body: { method: 'GET' } })
    expect(await call('/posts', undefined, 'POST')).toMatchObject({ status: 401 })
  })

  it('sets req.user from a valid token; 403 for what it may not do', async () => {
    await listen({ jwksUri: jwks.url, audience: 'api' })
    const bearer = `Bearer ${issue().access.token}`
    expect(await call('/private', bearer)).toMatchObject({ status: 200, body: { user: '42' } })
    expect(await call('/posts', bearer, 'POST')).toMatchObject({ status: 200 })
    const denied = await call('/admin', bearer)
    expect(denied).toMatchObject({ status: 403, body: DENIED, challenge: null })
    expect(denied.type).toBe('application/json; charset=utf-8')
    expect(await call('/posts/publish', bearer, 'POST')).toMatchObject({ status: 403 })
  })

  it('answers every token problem with simplejwt 401 body and the challenge, even on public routes', async () => {
    await listen({ jwksUri: jwks.url, audience: 'api' })
    const { access, refresh } = issue()
    const tampered = `${access.token.slice(0, -4)}AAAA`
    for (const [authorization, message] of [
      [`Bearer ${tampered}`, 'Token is invalid'],
      [`Bearer ${refresh.token}`, 'Token has wrong type'],
      ['Bearer not.a.token', 'Token is invalid'],
      [`Bearer ${issue(generateSigningKey('EdDSA')).access.token}`, 'Token is invalid'],
    ] as const) {
      expect(await call('/public', authorization)).toEqual({
        status: 401,
        body: invalidBody(message),
        challenge: CHALLENGE,
        retryAfter: null,
        type: 'application/json; charset=utf-8',
      })
    }
    expect(await call('/public', 'Bearer')).toMatchObject({
      status: 401,
      body: {
        detail: 'Authorization header must contain two space-delimited values',
        code: 'bad_authorization_header',
      },
      challenge: CHALLENGE,
    })
  })

  it('honours authHeaderTypes in the scheme and the challenge', async () => {
    await listen({ jwksUri: jwks.url, audience: 'api', authHeaderTypes: ['JWT'] })
    const token = issue().access.token
    expect(await call('/private', `JWT ${token}`)).toMatchObject({ status: 200 })
    expect(await call('/private', `Bearer ${token}`)).toMatchObject({
      status: 401,
      body: NOT_AUTHENTICATED,
      challenge: 'JWT realm="api"',
    })
  })

  it('grants admin and permissions only from the configured claims', async () => {
    await listen({
      jwksUri: jwks.url,
      audience: 'api',
      staffClaim: 'is_staff',
      permissionsClaim: 'permissions',
    })
    const staff = issue(key, { is_staff: true, permissions: ['blog.add_post'] }).access.token
    expect(await call('/admin', `Bearer ${staff}`)).toMatchObject({ status: 200 })
    expect(await call('/posts/publish', `Bearer ${staff}`, 'POST')).toMatchObject({
      status: 200,
      body: { published: true },
    })
  })

  it('picks up a rotated key through the JWKS', async () => {
    jwks.serve(jwksOf(key, rotated))
    try {
      await listen({ jwksUri: jwks.url, audience: 'api', remote: { cooldownSeconds: 0 } })
      const token = issue(rotated).access.token
      expect(await call('/private', `Bearer ${token}`)).toMatchObject({ status: 200 })
    } finally {
      jwks.serve(jwksOf(key))
    }
  })

  it('answers 503 with Retry-After while the revocation bus is down, 401 once revoked', async () => {
    await listen({
      jwksUri: jwks.url,
      audience: 'api',
      clock: () => now,
      revocation: { bus, view },
    })
    const { access } = issue()
    expect(await call('/private', `Bearer ${access.token}`)).toMatchObject({ status: 200 })
    bus.goDown()
    now += 1
    expect(await call('/public', `Bearer ${access.token}`)).toEqual({
      status: 503,
      body: {
        detail: 'Service temporarily unavailable, try again later.',
        code: 'service_unavailable',
      },
      challenge: null,
      retryAfter: '1',
      type: 'application/json; charset=utf-8',
    })
    bus.goUp()
    await bus.publish({ kind: 'access', jti: access.jti, userId: '42', expiresAt: access.exp })
    expect(await call('/private', `Bearer ${access.token}`)).toMatchObject({
      status: 401,
      body: invalidBody('Token is blacklisted'),
    })
  })

  it('refuses every token of a session the issuer ended, once the bus says so; others pass', async () => {
    await listen({
      jwksUri: jwks.url,
      audience: 'api',
      clock: () => now,
      revocation: { bus, view },
    })
    const session = `phone-${Math.random()}`
    const phone = issue(key, {}, session).access
    const rotated = issue(key, {}, session).access
    const laptop = issue(key, {}, 'laptop').access
    expect(await call('/private', `Bearer ${phone.token}`)).toMatchObject({ status: 200 })
    await bus.publish({
      kind: 'sessions',
      userId: '42',
      sessionIds: [session],
      expiresAt: now + 305,
    })
    for (const token of [phone.token, rotated.token]) {
      expect(await call('/private', `Bearer ${token}`)).toMatchObject({
        status: 401,
        body: invalidBody('Token is blacklisted'),
      })
    }
    expect(await call('/private', `Bearer ${laptop.token}`)).toMatchObject({ status: 200 })
  })

  it('refuses to guard a route the middleware did not see', async () => {
    const app = express()
    app.get('/guarded', requirePermission(isAuthenticated), (_request, response) => {
      response.json({})
    })
    app.use(
      (
        error: Error,
        _request: unknown,
        response: { status(code: number): { json(body: unknown): void } },
        _next: unknown,
      ) => {
        response.status(500).json({ error: error.message })
      },
    )
    server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening))
    })
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    middleware = tesseraResourceServer({ keys: [key] })
    const result = await call('/guarded')
    expect(result.status).toBe(500)
    expect(JSON.stringify(result.body)).toContain('mount tesseraResourceServer')
  })
})
