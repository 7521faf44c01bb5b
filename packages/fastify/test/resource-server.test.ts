import {
  generateSigningKey,
  hasPermissions,
  isAdminUser,
  isAuthenticated,
  KeyRing,
  TokenIssuer,
} from '@tessera/core'
import { guard, type TesseraResourceServerOptions, tesseraResourceServer } from '@tessera/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../../core/test/jwks/jwks-server.js'
import { ManualBus } from '../../core/test/revocation/bus-fixture.js'
import { buildTestApp, peterParker, TEST_SIGNING_KEY } from './app-fixture.js'

/** A resource server with the verify-only plugin and a few guarded routes. */
async function buildResourceApp(options: TesseraResourceServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: false })
  await app.register(tesseraResourceServer, options)
  const who = async (request: { user: { isAuthenticated: boolean; id?: string } }) => ({
    user: request.user.isAuthenticated ? request.user.id : 'anonymous',
  })
  app.get('/public', who)
  app.get('/private', { preHandler: guard(isAuthenticated) }, who)
  app.get('/admin', { preHandler: guard(isAdminUser) }, who)
  app.post('/publish', { preHandler: guard(hasPermissions('blog.add_post')) }, who)
  app.get('/health', { config: { tessera: { authenticate: false } } }, who)
  await app.ready()
  return app
}

describe('tesseraResourceServer (Fastify, verify-only)', () => {
  let issuerApp: FastifyInstance
  let resource: FastifyInstance
  let tokens: { access: string; refresh: string }

  beforeAll(async () => {
    ;({ app: issuerApp } = await buildTestApp())
    tokens = await peterParker(issuerApp)
    resource = await buildResourceApp({ keys: [{ alg: 'HS256', secret: TEST_SIGNING_KEY }] })
  })
  afterAll(async () => {
    await issuerApp.close()
    await resource.close()
  })

  it('accepts the auth server tokens and sets request.user from their claims', async () => {
    const response = await resource.inject({
      url: '/private',
      headers: { authorization: `Bearer ${tokens.access}` },
    })
    expect(response.statusCode).toBe(200)
    expect(response.json().user).toMatch(/^\d+$|^[0-9a-f-]+$/)
    expect((await resource.inject({ url: '/public' })).json()).toEqual({ user: 'anonymous' })
  })

  it('answers exactly what the full plugin answers, for every refusal', async () => {
    // The reference: the full plugin's own guarded route (`/api/me/`, isAuthenticated).
    const cases = [
      undefined,
      'Bearer',
      'Bearer a b',
      'Bearer not.a.token',
      `Bearer ${tokens.access.slice(0, -3)}AAA`,
      `Bearer ${tokens.refresh}`,
      'Basic dXNlcjpwYXNz',
    ]
    for (const authorization of cases) {
      const headers = authorization === undefined ? {} : { authorization }
      const ours = await resource.inject({ url: '/private', headers })
      const theirs = await issuerApp.inject({ url: '/api/me/', headers })
      expect([ours.statusCode, ours.json(), ours.headers['www-authenticate']]).toEqual([
        theirs.statusCode,
        theirs.json(),
        theirs.headers['www-authenticate'],
      ])
    }
  })

  it('denies with 403 what an authenticated claims user may not do', async () => {
    const headers = { authorization: `Bearer ${tokens.access}` }
    const admin = await resource.inject({ url: '/admin', headers })
    expect(admin.statusCode).toBe(403)
    expect(admin.json()).toEqual({ detail: 'You do not have permission to perform this action.' })
    expect(admin.headers['www-authenticate']).toBeUndefined()
    expect((await resource.inject({ method: 'POST', url: '/publish', headers })).statusCode).toBe(
      403,
    )
  })

  it('skips authentication where the route turns it off', async () => {
    const response = await resource.inject({
      url: '/health',
      headers: { authorization: 'Bearer garbage' },
    })
    expect(response.json()).toEqual({ user: 'anonymous' })
  })
})

describe('tesseraResourceServer with a JWKS, claims and revocation', () => {
  const key = generateSigningKey('EdDSA')
  const issue = (claims: Record<string, unknown> = {}, sessionId?: string) =>
    new TokenIssuer({
      keyRing: new KeyRing([key]),
      clock: () => now,
      customClaims: () => claims as never,
    }).issueTokenPair({ id: 9 }, sessionId).access
  let jwks: JwksServer
  let app: FastifyInstance
  const bus = new ManualBus()
  let now = Date.now() / 1000

  beforeAll(async () => {
    jwks = await startJwksServer(KeyRing.forVerification([key]).toJwks())
    app = await buildResourceApp({
      jwksUri: jwks.url,
      staffClaim: 'staff',
      permissionsClaim: 'perms',
      authHeaderTypes: ['JWT'],
      clock: () => now,
      revocation: { bus },
    })
    await app.tesseraResource.verifier.ready()
  })
  afterAll(async () => {
    await app.close()
    await jwks.close()
  })

  it('verifies with keys from the JWKS and grants from configured claims', async () => {
    const token = issue({ staff: true, perms: ['blog.add_post'] }).token
    const headers = { authorization: `JWT ${token}` }
    expect((await app.inject({ url: '/admin', headers })).json()).toEqual({ user: '9' })
    expect((await app.inject({ method: 'POST', url: '/publish', headers })).statusCode).toBe(200)
    const anonymous = await app.inject({ url: '/private' })
    expect(anonymous.statusCode).toBe(401)
    expect(anonymous.headers['www-authenticate']).toBe('JWT realm="api"')
    expect(jwks.hits).toBe(1)
  })

  it('fails closed with 503 and Retry-After while the bus is down', async () => {
    const access = issue()
    const headers = { authorization: `JWT ${access.token}` }
    bus.goDown()
    now += 1
    const down = await app.inject({ url: '/public', headers })
    expect(down.statusCode).toBe(503)
    expect(down.headers['retry-after']).toBe('1')
    expect(down.json()).toEqual({
      detail: 'Service temporarily unavailable, try again later.',
      code: 'service_unavailable',
    })
    bus.goUp()
    expect((await app.inject({ url: '/private', headers })).statusCode).toBe(200)
    await bus.publish({ kind: 'access', jti: access.jti, userId: '9', expiresAt: access.exp })
    const revoked = await app.inject({ url: '/private', headers })
    expect(revoked.statusCode).toBe(401)
    expect(revoked.json().messages[0].message).toBe('Token is blacklisted')
  })

  it('refuses every token of a session the issuer ended, once the bus says so; others pass', async () => {
    const phone = issue({}, 'phone-session')
    const rotated = issue({}, 'phone-session')
    const laptop = issue({}, 'laptop-session')
    const status = async (token: string) =>
      (await app.inject({ url: '/private', headers: { authorization: `JWT ${token}` } })).statusCode
    expect(await status(phone.token)).toBe(200)
    await bus.publish({
      kind: 'sessions',
      userId: '9',
      sessionIds: ['phone-session'],
      expiresAt: now + 305,
    })
    expect(await status(phone.token)).toBe(401)
    expect(await status(rotated.token)).toBe(401)
    expect(await status(laptop.token)).toBe(200)
  })
})
