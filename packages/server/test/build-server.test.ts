import { type Stores, StoreUnavailableError } from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from './temp-dir.js'

const tempDir = useTempDirs()
const servers: TesseraServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

function testConfig(env: Record<string, string> = {}) {
  return loadServerConfig({
    env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY, TESSERA_DATA_DIR: tempDir(), ...env },
    configFile: false,
  })
}

async function build(
  options: { stores?: Stores; lines?: string[]; env?: Record<string, string> } = {},
) {
  const server = await buildServer(testConfig(options.env), {
    stores: options.stores ?? createMemoryStores(),
    ...(options.lines === undefined
      ? { logger: false as const }
      : { logStream: { write: (line: string) => options.lines?.push(line) } }),
  })
  servers.push(server)
  return server
}

describe('buildServer: probes', () => {
  it('GET /healthz answers 200 {"status":"ok"}', async () => {
    const { app } = await build()
    const response = await app.inject({ method: 'GET', url: '/healthz' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ok' })
  })

  it('GET /readyz answers 200 {"status":"ready"} when the store answers', async () => {
    const { app } = await build()
    const response = await app.inject({ method: 'GET', url: '/readyz' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ status: 'ready' })
  })

  it('GET /readyz answers 503 service_unavailable with Retry-After when the ping fails', async () => {
    const stores = createMemoryStores()
    const down: Stores = {
      ...stores,
      ping: () => Promise.reject(new StoreUnavailableError('down')),
    }
    const { app } = await build({ stores: down })
    const response = await app.inject({ method: 'GET', url: '/readyz' })
    expect(response.statusCode).toBe(503)
    expect(response.headers['retry-after']).toBe('5')
    expect(response.json()).toEqual({
      detail: 'Service temporarily unavailable, try again later.',
      code: 'service_unavailable',
    })
  })
})

describe('buildServer: API docs', () => {
  it('GET /openapi.json is an OpenAPI 3.1 document listing the API paths once each', async () => {
    const { app } = await build()
    const response = await app.inject({ method: 'GET', url: '/openapi.json' })
    expect(response.statusCode).toBe(200)
    const document = response.json()
    expect(document.openapi).toBe('3.1.0')
    expect(document.info).toMatchObject({
      title: 'Tessera',
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
    })
    const paths = Object.keys(document.paths)
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/token/',
        '/api/token/refresh/',
        '/api/token/verify/',
        '/api/token/blacklist/',
        '/api/register/',
        '/api/hello/',
        '/healthz',
        '/readyz',
      ]),
    )
    expect(paths).not.toContain('/api/token')
    expect(paths).not.toContain('/openapi.json')
    expect(document.paths['/api/token/'].post).toBeDefined()
  })

  it('describes the two-step login with a second factor and the MFA routes', async () => {
    const { app } = await build()
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(document.paths['/api/token/'].post.description).toContain('"code": "mfa_required"')
    const step = document.paths['/api/token/mfa/'].post
    expect(step.summary).toBe(
      'The second step of a login: a TOTP code, a recovery code or a passkey',
    )
    expect(step.description).toContain('mfa_code_invalid')
    const body = step.requestBody.content['application/json'].schema
    expect(Object.keys(body.properties)).toEqual([
      'mfa_token',
      'code',
      'recovery_code',
      'passkey',
      'remember_device',
    ])
    expect(body.required).toEqual(['mfa_token'])
    expect(
      Object.keys(step.responses['200'].content['application/json'].schema.properties),
    ).toContain('device_token')
    const routes: [string, string][] = [
      ['/api/mfa/', 'get'],
      ['/api/mfa/totp/setup/', 'post'],
      ['/api/mfa/totp/confirm/', 'post'],
      ['/api/mfa/totp/disable/', 'post'],
      ['/api/mfa/recovery-codes/', 'post'],
      ['/api/mfa/devices/', 'get'],
      ['/api/mfa/devices/{id}/', 'delete'],
      ['/api/admin/users/{id}/mfa/reset/', 'post'],
    ]
    for (const [path, method] of routes) {
      const operation = document.paths[path]?.[method]
      expect(operation?.summary, `${method} ${path}`).toBeTruthy()
      expect(operation?.tags, `${method} ${path}`).toContain('mfa')
    }
  })

  it('GET /docs serves Swagger UI from the package: HTML with no external URL', async () => {
    const { app } = await build()
    const response = await app.inject({ method: 'GET', url: '/docs' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['content-type']).toMatch(/^text\/html/)
    const html = response.body
    expect(html).toContain('<div id="swagger-ui">')
    const references = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map(
      (match) => match[1] as string,
    )
    expect(references.length).toBeGreaterThan(3)
    for (const reference of references) expect(reference).toMatch(/^\/docs\//)
    expect(html).not.toMatch(/https?:\/\//)
    for (const reference of references) {
      const asset = await app.inject({ method: 'GET', url: reference })
      expect(asset.statusCode, reference).toBe(200)
    }
    const csp = String(response.headers['content-security-policy'])
    expect(csp).toContain("default-src 'self'")
    expect(csp).not.toMatch(/https:|validator\.swagger\.io|upgrade-insecure-requests/)
  })

  it('the initializer points the UI at this server and turns the public validator off', async () => {
    const { app } = await build()
    const script = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' })
    expect(script.statusCode).toBe(200)
    // The only URLs are in comments (a Stack Overflow link), never loaded.
    const code = script.body.replace(/\/\/.*$/gm, '')
    expect(code).not.toMatch(/https?:\/\//)
    expect(code).toMatch(/validatorUrl: null/)
  })
})

describe('buildServer: HTTP behaviour', () => {
  it('answers unknown paths outside the API with DRF 404 body', async () => {
    const { app } = await build()
    const response = await app.inject({ method: 'GET', url: '/nowhere' })
    expect(response.statusCode).toBe(404)
    expect(response.json()).toEqual({ detail: 'Not found.' })
  })

  it('gives every response a request id, keeping a plain X-Request-Id from the caller', async () => {
    const { app } = await build()
    const own = await app.inject({ method: 'GET', url: '/healthz' })
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    const given = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'edge-123' },
    })
    expect(given.headers['x-request-id']).toBe('edge-123')
    const hostile = await app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a\u0085b"}' },
    })
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    const missing = await app.inject({ method: 'GET', url: '/nowhere' })
    expect(missing.statusCode).toBe(404)
    expect(missing.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
  })

  it('caps bodies at 16 KiB', async () => {
    const { app } = await build()
    const response = await app.inject({
      method: 'POST',
      url: '/api/token/',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ username: 'a', password: 'x'.repeat(17 * 1024) }),
    })
    expect(response.statusCode).toBe(413)
  })

  it('close() closes the stores it opened, not injected ones', async () => {
    const injected = createMemoryStores()
    const spy = vi.spyOn(injected, 'close')
    const server = await buildServer(testConfig(), { stores: injected, logger: false })
    await server.close()
    expect(spy).not.toHaveBeenCalled()

    const own = await buildServer(testConfig(), { logger: false })
    const ownSpy = vi.spyOn(own.stores, 'close')
    await own.close()
    await own.close()
    expect(ownSpy).toHaveBeenCalledTimes(1)
  })
})

describe('buildServer: logs', () => {
  it('writes JSON lines with request ids and never a password, token or Authorization header', async () => {
    const lines: string[] = []
    const { app } = await build({ lines })
    const password = 'correct horse battery staple'
    const register = await app.inject({
      method: 'POST',
      url: '/api/register/',
      payload: { username: 'alice', password },
    })
    expect(register.statusCode).toBe(201)
    const login = await app.inject({
      method: 'POST',
      url: '/api/token/?debug=secret-in-query',
      payload: { username: 'alice', password },
    })
    expect(login.statusCode).toBe(200)
    const { access, refresh } = login.json()
    await app.inject({
      method: 'GET',
      url: '/api/hello/',
      headers: { authorization: `Bearer ${access}`, cookie: 'sessionid=cookie-secret' },
    })
    await app.inject({ method: 'POST', url: '/api/token/blacklist/', payload: { refresh } })

    const text = lines.join('')
    expect(lines.length).toBeGreaterThan(4)
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow()
    expect(lines.some((line) => JSON.parse(line).reqId !== undefined)).toBe(true)
    for (const secret of [password, access, refresh, 'cookie-secret', 'secret-in-query']) {
      expect(text).not.toContain(secret)
    }
  })

  it("above info: no request lines, but a request's warning keeps its reqId and secrets stay out", async () => {
    const lines: string[] = []
    const stores = createMemoryStores()
    const down: Stores = {
      ...stores,
      ping: () => Promise.reject(new StoreUnavailableError('down')),
    }
    const { app } = await build({ stores: down, lines, env: { TESSERA_LOG_LEVEL: 'warn' } })
    const ready = await app.inject({
      method: 'GET',
      url: '/readyz',
      headers: { 'x-request-id': 'probe-1' },
    })
    expect(ready.statusCode).toBe(503)
    expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200)
    app.log.warn({ password: 'p1', body: { token: 't1' } }, 'hand-written')
    const written = lines.map((line) => JSON.parse(line))
    expect(written.map(({ reqId, msg }) => ({ reqId, msg }))).toEqual([
      { reqId: 'probe-1', msg: 'readiness check failed' },
      { reqId: undefined, msg: 'hand-written' },
    ])
    expect(lines.join('')).not.toMatch(/"p1"|"t1"/)
  })

  it('redacts credentials in objects logged by hand', async () => {
    const lines: string[] = []
    const { app } = await build({ lines })
    app.log.info(
      {
        password: 'p1',
        body: {
          password: 'p2',
          old_password: 'p3',
          new_password: 'p4',
          refresh: 't1',
          access: 't2',
          token: 't3',
        },
        req: { headers: { authorization: 'Bearer t4', cookie: 'c1' } },
        res: { headers: { 'set-cookie': 'c2' } },
      },
      'hand-written',
    )
    const line = lines.find((entry) => entry.includes('hand-written')) as string
    expect(line).toBeDefined()
    for (const secret of ['p1', 'p2', 'p3', 'p4', 't1', 't2', 't3', 't4', 'c1', 'c2']) {
      expect(line).not.toContain(`"${secret}"`)
      expect(line).not.toContain(`Bearer ${secret}`)
    }
    expect(line).toContain('[Redacted]')
  })
})
