import { generateSigningKey, importAsymmetricKey, importHmacKey, KeyRing } from '@tessera/core'
import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { registerJwksRoute } from '../src/index.js'

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

function publicOnly(key: ReturnType<typeof generateSigningKey>, overrides: object) {
  const publicKey = key.verifyingKey.export({ format: 'jwk' })
  return importAsymmetricKey(key.alg as 'ES256' | 'EdDSA' | 'RS256', {
    kid: key.kid,
    publicKey,
    ...overrides,
  })
}

async function serve(ring: KeyRing, maxAge = 300) {
  const app = Fastify()
  let current = ring
  registerJwksRoute(app, { keyRing: () => current, maxAge })
  await app.ready()
  return {
    app,
    use: (next: KeyRing) => {
      current = next
    },
  }
}

describe('GET /.well-known/jwks.json', () => {
  it('publishes current, next and retired-in-window public keys, cacheable for maxAge', async () => {
    const current = generateSigningKey('ES256')
    const next = publicOnly(generateSigningKey('EdDSA'), { status: 'next' })
    const retired = publicOnly(generateSigningKey('RS256'), {
      status: 'retired',
      verifyUntil: Date.now() / 1000 + 3600,
    })
    const gone = publicOnly(generateSigningKey('ES256'), {
      status: 'retired',
      verifyUntil: Date.now() / 1000 - 1,
    })
    const { app } = await serve(new KeyRing([current, next, retired, gone]))
    const response = await app.inject('/.well-known/jwks.json')
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBe('public, max-age=300')
    expect(response.headers['content-type']).toMatch(/^application\/json/)
    const body = response.json() as { keys: Record<string, string>[] }
    expect(body.keys.map((key) => key.kid).sort()).toEqual(
      [current.kid, next.kid, retired.kid].sort(),
    )
    for (const key of body.keys) {
      expect(key.use).toBe('sig')
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
    }
    expect(body.keys.find((key) => key.kid === current.kid)).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      alg: 'ES256',
    })
    expect(body.keys.find((key) => key.kid === next.kid)).toMatchObject({
      kty: 'OKP',
      crv: 'Ed25519',
      alg: 'EdDSA',
    })
    expect(body.keys.find((key) => key.kid === retired.kid)).toMatchObject({
      kty: 'RSA',
      e: 'AQAB',
    })
    await app.close()
  })

  it('never publishes an HMAC secret', async () => {
    const hmac = importHmacKey('x'.repeat(64), 'HS256')
    const { app } = await serve(new KeyRing([hmac]), 60)
    const response = await app.inject('/.well-known/jwks.json')
    expect(response.json()).toEqual({ keys: [] })
    expect(response.body).not.toContain('x'.repeat(16))
    expect(response.headers['cache-control']).toBe('public, max-age=60')
    await app.close()
  })

  it('shows a new ring at once (a rotation needs no restart)', async () => {
    const first = generateSigningKey('ES256')
    const second = generateSigningKey('ES256')
    const { app, use } = await serve(new KeyRing([first]))
    const kids = async () =>
      ((await app.inject('/.well-known/jwks.json')).json() as { keys: { kid: string }[] }).keys.map(
        (key) => key.kid,
      )
    expect(await kids()).toEqual([first.kid])
    use(new KeyRing([second]))
    expect(await kids()).toEqual([second.kid])
    await app.close()
  })

  it.each([-1, 1.5, Number.NaN])('refuses maxAge %s', (maxAge) => {
    const app = Fastify()
    expect(() =>
      registerJwksRoute(app, { keyRing: () => new KeyRing([generateSigningKey('ES256')]), maxAge }),
    ).toThrow(/maxAge must be a non-negative integer/)
  })
})
