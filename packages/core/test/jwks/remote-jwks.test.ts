import { generateSigningKey, type JwksError, KeyRing, RemoteJwks } from '@tessera/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from './jwks-server.js'

const first = generateSigningKey('ES256')
const second = generateSigningKey('EdDSA')
const jwksOf = (...keys: Parameters<typeof KeyRing.forVerification>[0]) =>
  KeyRing.forVerification(keys).toJwks(0)

let server: JwksServer
let now: number
const clock = () => now

beforeEach(async () => {
  now = 1_700_000_000
  server = await startJwksServer(jwksOf(first))
})
afterEach(() => server.close())

function remote(options: Partial<ConstructorParameters<typeof RemoteJwks>[0]> = {}) {
  const errors: JwksError[] = []
  const jwks = new RemoteJwks({
    url: server.url,
    clock,
    onError: (error) => errors.push(error),
    ...options,
  })
  return { jwks, errors }
}

describe('RemoteJwks', () => {
  it('fetches the configured URL once and serves the keys from memory while fresh', async () => {
    const { jwks } = remote()
    const ring = await jwks.load()
    expect(ring.keys.map((key) => key.kid)).toEqual([first.kid])
    expect(await jwks.load()).toBe(ring)
    expect(server.paths).toEqual(['/.well-known/jwks.json'])
  })

  it('honours max-age within the configured bounds', async () => {
    server.serve(jwksOf(first), { 'cache-control': 'public, max-age=120' })
    const { jwks } = remote({ cooldownSeconds: 0, minCacheSeconds: 60, maxCacheSeconds: 3600 })
    await jwks.load()
    now += 119
    await jwks.load()
    expect(server.hits).toBe(1)
    now += 1
    await jwks.load()
    expect(server.hits).toBe(2)
    // Below the minimum: clamped up to 60 s.
    server.serve(jwksOf(first), { 'cache-control': 'max-age=1' })
    now += 1000
    await jwks.load()
    expect(server.hits).toBe(3)
    now += 59
    await jwks.load()
    expect(server.hits).toBe(3)
    // Above the maximum: clamped down to 3600 s.
    server.serve(jwksOf(first), { 'cache-control': 'max-age=999999' })
    now += 1
    await jwks.load()
    now += 3600
    await jwks.load()
    expect(server.hits).toBe(5)
  })

  it('treats no-store as the minimum and a missing header as the default', async () => {
    server.serve(jwksOf(first), { 'cache-control': 'no-store' })
    const { jwks } = remote({ cooldownSeconds: 0, minCacheSeconds: 10, defaultCacheSeconds: 300 })
    await jwks.load()
    now += 10
    expect(jwks.stale).toBe(true)
    server.serve(jwksOf(first))
    await jwks.load()
    now += 299
    expect(jwks.stale).toBe(false)
    now += 1
    expect(jwks.stale).toBe(true)
  })

  it('keeps serving the last good keys when a refresh fails, and reports it', async () => {
    const { jwks, errors } = remote({ cooldownSeconds: 0, minCacheSeconds: 0, maxCacheSeconds: 0 })
    const ring = await jwks.load()
    server.respond((_request, response) => response.writeHead(500).end())
    expect(await jwks.refresh()).toBe(ring)
    server.serve({ keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'x' }] })
    expect(await jwks.refresh()).toBe(ring)
    server.respond((_request, response) => response.end('not json'))
    expect(await jwks.load()).toBe(ring)
    expect(errors.map((error) => error.reason)).toEqual([
      'fetch_failed',
      'key_invalid',
      'document_invalid',
    ])
    expect(jwks.keys.map((key) => key.kid)).toEqual([first.kid])
  })

  it('rejects load() with the error while it has never had keys', async () => {
    server.respond((_request, response) => response.writeHead(404).end())
    const { jwks } = remote()
    await expect(jwks.load()).rejects.toMatchObject({ reason: 'fetch_failed' })
    expect(jwks.ring).toBeUndefined()
  })

  it('coalesces concurrent refreshes into one request and then waits out the cooldown', async () => {
    const { jwks } = remote({ cooldownSeconds: 30 })
    await jwks.load()
    server.serve(jwksOf(first, second))
    now += 30
    const rings = await Promise.all(Array.from({ length: 100 }, () => jwks.refresh()))
    expect(server.hits).toBe(2)
    expect(new Set(rings).size).toBe(1)
    expect(rings[0]?.keys).toHaveLength(2)
    now += 29
    await Promise.all(Array.from({ length: 100 }, () => jwks.refresh()))
    expect(server.hits).toBe(2)
    expect(jwks.cooldownRemaining).toBe(1)
    now += 1
    await jwks.refresh()
    expect(server.hits).toBe(3)
  })

  it('aborts a fetch that hangs after the timeout', async () => {
    server.respond(() => {})
    const { jwks, errors } = remote({ timeoutSeconds: 0.2 })
    await expect(jwks.load()).rejects.toMatchObject({ reason: 'fetch_timeout' })
    expect(errors[0]?.reason).toBe('fetch_timeout')
  })

  it('aborts a body that trickles past the timeout', async () => {
    server.respond((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' })
      response.write('{"keys":[')
    })
    const { jwks } = remote({ timeoutSeconds: 0.2 })
    await expect(jwks.load()).rejects.toMatchObject({ reason: 'fetch_timeout' })
  })

  it('refuses a body over maxBytes, declared or streamed', async () => {
    const huge = `{"keys":[],"pad":"${'x'.repeat(200_000)}"}`
    server.respond((_request, response) => response.end(huge))
    const declared = remote({ maxBytes: 1000 })
    await expect(declared.jwks.load()).rejects.toMatchObject({ reason: 'document_too_large' })
    server.respond((_request, response) => {
      response.writeHead(200, { 'transfer-encoding': 'chunked' })
      for (let i = 0; i < 50; i++) response.write('x'.repeat(4096))
      response.end()
    })
    const streamed = remote({ maxBytes: 1000 })
    await expect(streamed.jwks.load()).rejects.toMatchObject({ reason: 'document_too_large' })
  })

  it('does not follow redirects', async () => {
    const elsewhere = await startJwksServer(jwksOf(second))
    try {
      server.respond((_request, response) =>
        response.writeHead(302, { location: elsewhere.url }).end(),
      )
      const { jwks } = remote()
      await expect(jwks.load()).rejects.toMatchObject({ reason: 'fetch_failed' })
      expect(elsewhere.hits).toBe(0)
    } finally {
      await elsewhere.close()
    }
  })

  it('uses an injected fetch, with the configured URL only', async () => {
    const urls: string[] = []
    const jwks = new RemoteJwks({
      url: 'https://auth.example.com/.well-known/jwks.json',
      fetch: async (url) => {
        urls.push(String(url))
        return new Response(JSON.stringify(jwksOf(second)), { status: 200 })
      },
    })
    expect((await jwks.load()).keys[0]?.kid).toBe(second.kid)
    expect(urls).toEqual(['https://auth.example.com/.well-known/jwks.json'])
  })

  it('names the bad option', () => {
    expect(() => new RemoteJwks({ url: 'file:///etc/passwd' })).toThrow(/http\(s\) URL/)
    expect(() => new RemoteJwks({ url: server.url, timeoutSeconds: 0 })).toThrow(/timeoutSeconds/)
    expect(
      () => new RemoteJwks({ url: server.url, minCacheSeconds: 10, maxCacheSeconds: 5 }),
    ).toThrow(/maxCacheSeconds/)
  })

  it('refuses plain http outside this machine: keys in transit could be swapped', () => {
    for (const url of [
      'http://auth.example.com/.well-known/jwks.json',
      'http://10.0.0.5/jwks.json',
      'http://127.0.0.1.evil.example/jwks.json',
      'http://[::2]/jwks.json',
    ]) {
      expect(() => new RemoteJwks({ url }), url).toThrow(/url must be https/)
    }
    for (const url of [
      'https://auth.example.com/.well-known/jwks.json',
      'http://localhost:8000/.well-known/jwks.json',
      'http://127.0.0.1:8000/.well-known/jwks.json',
      'http://[::1]:8000/.well-known/jwks.json',
    ]) {
      expect(() => new RemoteJwks({ url }), url).not.toThrow()
    }
  })
})
