import { type Stores, StoreUnavailableError } from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { exchangeRaw, listen, useServers } from './raw-http.js'

// Every response carries the security headers of a JSON API (OWASP REST Security Cheat Sheet),
// the request id, and, wherever a token or personal data may be in it, `Cache-Control:
// no-store` (RFC 6749 5.1). Errors included. The docs page adds the headers of a document.

const build = useServers()

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
}
const DOCUMENT_HEADERS = {
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
}
const HSTS = 'max-age=31536000; includeSubDomains'
const PETER = { username: 'peter', password: 'correct horse battery staple' }

function expectSecurityHeaders(
  headers: Record<string, unknown>,
  context: string,
  csp = SECURITY_HEADERS['content-security-policy'],
): void {
  expect(headers, context).toMatchObject({ ...SECURITY_HEADERS, 'content-security-policy': csp })
  expect(headers['x-request-id'], context).toMatch(/^[0-9a-f-]{36}$/)
  // Plain HTTP: no HSTS (RFC 6797 7.2).
  expect(headers['strict-transport-security'], context).toBeUndefined()
}

async function signedIn(app: FastifyInstance): Promise<string> {
  const json = { 'content-type': 'application/json' }
  await app.inject({ method: 'POST', url: '/api/register/', headers: json, payload: PETER })
  const login = await app.inject({
    method: 'POST',
    url: '/api/token/',
    headers: json,
    payload: PETER,
  })
  return (login.json() as { access: string }).access
}

describe('security headers and no-store on every answer', () => {
  it.each<[string, (access: string) => InjectOptions, number, string | undefined]>([
    [
      'the hot path',
      (access) => ({ url: '/api/hello/', headers: { authorization: `Bearer ${access}` } }),
      200,
      'no-store',
    ],
    [
      'the profile',
      (access) => ({ url: '/api/me/', headers: { authorization: `Bearer ${access}` } }),
      200,
      'no-store',
    ],
    ['a login', () => ({ method: 'POST', url: '/api/token/', payload: PETER }), 200, 'no-store'],
    ['no credentials', () => ({ url: '/api/hello/' }), 401, 'no-store'],
    [
      'a bad token',
      () => ({ url: '/api/hello/', headers: { authorization: 'Bearer a.b.c' } }),
      401,
      'no-store',
    ],
    ['an unknown API path', () => ({ url: '/api/nowhere/' }), 404, 'no-store'],
    ['a wrong API method', () => ({ method: 'DELETE', url: '/api/token/' }), 405, 'no-store'],
    [
      'a body too large',
      () => ({ method: 'POST', url: '/api/token/', payload: { padding: 'x'.repeat(17_000) } }),
      413,
      'no-store',
    ],
    ['a bad percent-encoding', () => ({ url: '/api/hello/%ZZ' }), 400, 'no-store'],
    ['liveness', () => ({ url: '/healthz' }), 200, undefined],
    ['the OpenAPI document', () => ({ url: '/openapi.json' }), 200, undefined],
    ['an unknown path', () => ({ url: '/nowhere' }), 404, undefined],
    ['a wrong method outside the API', () => ({ method: 'POST', url: '/healthz' }), 405, undefined],
    ['the JWKS', () => ({ url: '/.well-known/jwks.json' }), 200, 'public, max-age=300'],
  ])('%s', async (what, request, status, cacheControl) => {
    const { app } = await build({ TESSERA_THROTTLE_LOGIN_USERNAME: 'off' })
    const access = await signedIn(app)
    const response = await app.inject({ method: 'GET', ...request(access) })
    expect(response.statusCode, response.body).toBe(status)
    expectSecurityHeaders(response.headers, what)
    expect(response.headers['cache-control'], what).toBe(cacheControl)
  })

  it('429: throttled', async () => {
    const { app } = await build({ TESSERA_THROTTLE_LOGIN_USERNAME: '1/min' })
    const attempt = () => app.inject({ method: 'POST', url: '/api/token/', payload: PETER })
    await attempt()
    const response = await attempt()
    expect(response.statusCode).toBe(429)
    expectSecurityHeaders(response.headers, '429')
    expect(response.headers['cache-control']).toBe('no-store')
  })

  it('503: the store is down', async () => {
    const stores = createMemoryStores()
    const down: Stores = {
      ...stores,
      users: {
        ...stores.users,
        findUserByUsernameKey: () =>
          Promise.reject(new StoreUnavailableError('down', 'ECONNREFUSED')),
      },
      ping: () => Promise.reject(new StoreUnavailableError('down', 'ECONNREFUSED')),
    }
    const { app } = await build({}, down)
    const login = await app.inject({ method: 'POST', url: '/api/token/', payload: PETER })
    expect(login.statusCode).toBe(503)
    expectSecurityHeaders(login.headers, 'login 503')
    expect(login.headers['cache-control']).toBe('no-store')
    const ready = await app.inject({ url: '/readyz' })
    expect(ready.statusCode).toBe(503)
    expectSecurityHeaders(ready.headers, 'readyz 503')
  })

  it('the docs page keeps a CSP that lets Swagger UI run, and cannot be framed either', async () => {
    const { app } = await build()
    for (const url of ['/docs', '/docs/static/swagger-initializer.js']) {
      const response = await app.inject({ url })
      expect(response.statusCode, url).toBe(200)
      const csp = String(response.headers['content-security-policy'])
      expect(csp, url).toContain("default-src 'self'")
      expect(csp, url).toContain("frame-ancestors 'none'")
      expectSecurityHeaders(response.headers, url, csp)
      expect(response.headers, url).toMatchObject(DOCUMENT_HEADERS)
    }
  })

  it('HSTS only over HTTPS (here a trusted proxy saying so)', async () => {
    const { app } = await build({ TESSERA_TRUST_PROXY: 'true' })
    const secure = await app.inject({ url: '/healthz', headers: { 'x-forwarded-proto': 'https' } })
    expect(secure.headers['strict-transport-security']).toBe(HSTS)
    const plain = await app.inject({ url: '/healthz', headers: { 'x-forwarded-proto': 'http' } })
    expect(plain.headers['strict-transport-security']).toBeUndefined()
  })

  it('answers written straight to the socket carry them too', async () => {
    const server = await build()
    const port = await listen(server)
    for (const raw of [
      'GET /a b HTTP/1.1\r\nHost: localhost\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    ]) {
      const response = await exchangeRaw(port, raw)
      expect([400, 431]).toContain(response.status)
      expectSecurityHeaders(response.headers, response.text.slice(0, 100))
      expect(response.headers['cache-control']).toBe('no-store')
    }
  })
})
