import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { gunzipSync } from 'node:zlib'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'

// The pages of @tessera/web as the server sends them: its build (`npm run build`), served from
// memory, with the pages' CSP and caching. Without a build these tests fail.

const WEB_DIST = fileURLToPath(new URL('../../../web/dist/', import.meta.url))
const tempDir = useTempDirs()
const servers: TesseraServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function build(env: Record<string, string>, webDir = WEB_DIST): Promise<TesseraServer> {
  const config = loadServerConfig({
    env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY, TESSERA_DATA_DIR: tempDir(), ...env },
    configFile: false,
  })
  const server = await buildServer(config, { logger: false, webDir })
  servers.push(server)
  return server
}

const COOKIE = { TESSERA_TOKEN_TRANSPORT: 'cookie', TESSERA_COOKIE_SECURE: 'false' }

/** The account page's entry script, from Vite's manifest. */
function accountScript(): string {
  const manifest = JSON.parse(readFileSync(`${WEB_DIST}.vite/manifest.json`, 'utf8'))
  return `/${manifest['account/index.html'].file as string}`
}

describe('web pages', () => {
  it('answers every path of each app with its index.html, no-cache, under a strict CSP', async () => {
    const server = await build(COOKIE)
    for (const [url, title] of [
      ['/account/', 'Your account'],
      ['/account/login/', 'Your account'],
      ['/account/activate/', 'Your account'],
      ['/admin/', 'Administration'],
      ['/admin/users/12/', 'Administration'],
    ] as const) {
      const response = await server.app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(200)
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(response.body).toContain(`<title>${title} · Tessera</title>`)
      expect(response.headers['cache-control']).toBe('no-cache')
      const csp = String(response.headers['content-security-policy'])
      expect(csp).toContain("script-src 'self'")
      expect(csp).toContain("style-src 'self'")
      expect(csp).toContain("img-src 'self' data:")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).not.toContain('unsafe-inline')
      expect(response.headers['x-frame-options']).toBe('DENY')
      expect(response.headers['x-content-type-options']).toBe('nosniff')
    }
    const bare = await server.app.inject({ method: 'GET', url: '/account' })
    expect([bare.statusCode, bare.headers.location]).toEqual([301, '/account/'])
  })

  it('sends hashed assets immutable, gzipped when asked, and 304 on a matching ETag', async () => {
    const server = await build(COOKIE)
    const url = accountScript()
    const plain = await server.app.inject({ method: 'GET', url })
    expect(plain.statusCode).toBe(200)
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8')
    expect(plain.headers['content-encoding']).toBeUndefined()
    const packed = await server.app.inject({
      method: 'GET',
      url,
      headers: { 'accept-encoding': 'gzip, br' },
    })
    expect(packed.headers['content-encoding']).toBe('gzip')
    expect(packed.headers.vary).toContain('accept-encoding')
    expect(gunzipSync(packed.rawPayload).toString()).toBe(plain.body)
    const again = await server.app.inject({
      method: 'GET',
      url,
      headers: { 'if-none-match': String(plain.headers.etag) },
    })
    expect([again.statusCode, again.body]).toEqual([304, ''])
  })

  it('answers an unknown asset with the contract 404, and never reads outside the build', async () => {
    const server = await build(COOKIE)
    for (const url of [
      '/assets/nope.js',
      '/assets/../package.json',
      '/assets/%2e%2e/vite.config.ts',
    ]) {
      const response = await server.app.inject({ method: 'GET', url })
      expect(response.statusCode, url).toBe(404)
      expect(response.json()).toEqual({ detail: 'Not found.' })
    }
  })

  it('serves nothing with WEB_PAGES off, in body transport, or without a build', async () => {
    for (const server of [
      await build({ ...COOKIE, TESSERA_WEB_PAGES: 'false' }),
      await build({}),
      await build(COOKIE, tempDir()),
    ]) {
      for (const url of ['/account/', '/admin/users/', accountScript()]) {
        expect((await server.app.inject({ method: 'GET', url })).statusCode, url).toBe(404)
      }
    }
  })
})
