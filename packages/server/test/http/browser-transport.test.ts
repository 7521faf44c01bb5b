import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  killServedTessera,
  requireBuiltCli,
  runTessera,
  type ServedTessera,
  serveTessera,
} from '../cli/run-tessera.js'
import { useTempDirs } from '../temp-dir.js'

// `tessera serve` over a real socket, configured by environment as a user would, answering a
// page of another origin: CORS preflights and answers, and cookie mode's CSRF rules.
const tempDir = useTempDirs()
const APP = 'http://localhost:5173'
const PETER = { username: 'peter', password: 'correct horse battery', first_name: 'Peter' }

beforeAll(requireBuiltCli)
afterAll(killServedTessera)

function serve(env: Record<string, string>): Promise<ServedTessera> {
  const cwd = tempDir()
  return serveTessera([], { cwd, env: { TESSERA_DATA_DIR: join(cwd, 'data'), ...env } })
}

/** A browser's fetch from `origin`: it keeps the cookies it is given and sends them back. */
class Page {
  readonly cookies = new Map<string, string>()
  csrf = ''
  constructor(
    readonly api: string,
    readonly origin: string,
  ) {}

  async fetch(
    path: string,
    init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
  ) {
    const method = init.method ?? 'GET'
    const response = await fetch(`${this.api}${path}`, {
      method,
      headers: {
        origin: this.origin,
        'sec-fetch-site': 'same-site',
        cookie: [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
        ...(method === 'GET'
          ? {}
          : { 'content-type': 'application/json', 'x-csrftoken': this.csrf }),
        ...init.headers,
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    })
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split('; ')
      const [name = '', value = ''] = pair.split('=')
      if (value === '' || attributes.includes('Max-Age=0')) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
    return response
  }
}

describe('CORS', () => {
  let api: ServedTessera
  beforeAll(async () => {
    api = await serve({
      TESSERA_CORS_ALLOWED_ORIGINS: `${APP},https://app.example.com`,
      TESSERA_CORS_ALLOW_CREDENTIALS: 'true',
    })
  })

  const preflight = (origin: string) =>
    fetch(`${api.url}/api/token/`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-csrftoken',
      },
    })

  it('answers a preflight from an allowed origin, cached for a day', async () => {
    const response = await preflight(APP)
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP)
    expect(response.headers.get('access-control-allow-credentials')).toBe('true')
    expect(response.headers.get('access-control-allow-headers')).toContain('x-csrftoken')
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
    expect(response.headers.get('access-control-max-age')).toBe('86400')
    expect(response.headers.get('vary')).toContain('Origin')
  })

  it('gives another origin nothing to read, preflight or not', async () => {
    const response = await preflight('http://evil.example')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    const hello = await fetch(`${api.url}/api/hello/`, {
      headers: { origin: 'http://evil.example' },
    })
    expect(hello.status).toBe(401)
    expect(hello.headers.get('access-control-allow-origin')).toBeNull()
  })

  it('lets an allowed origin read answers, errors included, and the exposed headers', async () => {
    const hello = await fetch(`${api.url}/api/hello/`, { headers: { origin: APP } })
    expect(hello.status).toBe(401)
    expect(hello.headers.get('access-control-allow-origin')).toBe(APP)
    expect(hello.headers.get('access-control-expose-headers')).toBe('retry-after')
  })

  it('is off by default: no Access-Control header at all', async () => {
    const plain = await serve({})
    const response = await fetch(`${plain.url}/api/token/`, {
      method: 'OPTIONS',
      headers: { origin: APP, 'access-control-request-method': 'POST' },
    })
    expect(
      [...response.headers.keys()].filter((name) => name.startsWith('access-control')),
    ).toEqual([])
    await plain.stop()
  })
})

describe('cookie mode over HTTP', () => {
  let api: ServedTessera
  beforeAll(async () => {
    api = await serve({
      TESSERA_TOKEN_TRANSPORT: 'cookie',
      TESSERA_CORS_ALLOWED_ORIGINS: APP,
      TESSERA_CORS_ALLOW_CREDENTIALS: 'true',
    })
    const registered = await fetch(`${api.url}/api/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(PETER),
    })
    expect(registered.status).toBe(201)
  })

  it('signs in, calls, refreshes and logs out a page of another origin, revoking its access token', async () => {
    const page = new Page(api.url, APP)
    page.csrf = (
      (await (await page.fetch('/api/csrf/')).json()) as { csrf_token: string }
    ).csrf_token
    const login = await page.fetch('/api/token/', { method: 'POST', body: PETER })
    expect(login.status).toBe(200)
    expect(Object.keys((await login.json()) as object)).toEqual([
      'access_expires_at',
      'access_expires_in',
    ])
    const access = page.cookies.get('__Host-tessera_access') as string
    expect(access).toMatch(/^ey/)
    expect((await page.fetch('/api/hello/')).status).toBe(200)
    expect((await page.fetch('/api/token/refresh/', { method: 'POST', body: {} })).status).toBe(200)
    expect(page.cookies.get('__Host-tessera_access')).not.toBe(access)
    const current = page.cookies.get('__Host-tessera_access') as string
    expect((await page.fetch('/api/token/blacklist/', { method: 'POST', body: {} })).status).toBe(
      200,
    )
    expect(page.cookies.size).toBe(1) // only the CSRF cookie is left
    const replay = await fetch(`${api.url}/api/hello/`, {
      headers: { authorization: `Bearer ${current}` },
    })
    expect(replay.status).toBe(401)
  })

  it('describes the cookie, the CSRF header and GET /api/csrf/ in its OpenAPI document', async () => {
    const document = (await (await fetch(`${api.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>
      components: { securitySchemes: Record<string, { in?: string; name?: string }> }
    }
    expect(document.paths['/api/csrf/']).toBeDefined()
    expect(document.components.securitySchemes.cookieAuth).toMatchObject({
      in: 'cookie',
      name: '__Host-tessera_access',
    })
    expect(document.components.securitySchemes.csrfToken).toMatchObject({
      in: 'header',
      name: 'X-CSRFToken',
    })
  })

  it('refuses the same requests from a page of another site, or without the CSRF header', async () => {
    const page = new Page(api.url, APP)
    page.csrf = (
      (await (await page.fetch('/api/csrf/')).json()) as { csrf_token: string }
    ).csrf_token
    const evil = await page.fetch('/api/token/', {
      method: 'POST',
      body: PETER,
      headers: { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
    })
    expect(evil.status).toBe(403)
    expect(await evil.json()).toEqual({
      detail:
        'CSRF Failed: Origin checking failed - http://evil.example does not match any trusted origins.',
      code: 'csrf_failed',
    })
    const reasons: string[] = []
    const attempts: Record<string, string>[] = [
      { 'x-csrftoken': '' },
      { 'x-csrftoken': 'a'.repeat(43) },
      { origin: '', 'sec-fetch-site': 'cross-site' },
    ]
    for (const headers of attempts) {
      const refused = await page.fetch('/api/token/', { method: 'POST', body: PETER, headers })
      expect(refused.status).toBe(403)
      reasons.push(((await refused.json()) as { detail: string }).detail)
    }
    expect(reasons).toEqual([
      'CSRF Failed: CSRF token missing.',
      'CSRF Failed: CSRF token incorrect.',
      'CSRF Failed: Cross-site request refused.',
    ])
    expect(page.cookies.has('__Host-tessera_access')).toBe(false)
  })
})

describe('settings', () => {
  it('refuses COOKIE_SECURE=false in production, naming the setting', async () => {
    const cwd = tempDir()
    const run = await runTessera(['serve', '--port', '0'], {
      cwd,
      env: {
        TESSERA_ENV: 'production',
        TESSERA_SIGNING_KEY: 'a-production-signing-key-of-enough-length-7f3a9c',
        TESSERA_TOKEN_TRANSPORT: 'cookie',
        TESSERA_COOKIE_SECURE: 'false',
        TESSERA_AUTH_ROUTES: 'false',
        TESSERA_DATA_DIR: join(cwd, 'data'),
      },
    })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain('COOKIE_SECURE')
    expect(run.stderr).not.toMatch(/at \S+ \(/) // no stack trace
  })

  it('explains a bad origin as the other configuration errors do', async () => {
    const cwd = tempDir()
    const run = await runTessera(['serve', '--port', '0'], {
      cwd,
      env: {
        TESSERA_CORS_ALLOWED_ORIGINS: 'https://app.example.com/',
        TESSERA_DATA_DIR: join(cwd, 'd'),
      },
    })
    expect(run.status).not.toBe(0)
    expect(run.stderr).toContain('CORS_ALLOWED_ORIGINS')
    expect(run.stderr).toContain('https://app.example.com/')
  })
})
