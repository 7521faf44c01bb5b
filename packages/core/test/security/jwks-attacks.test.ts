/**
 * Attacks on a resource server's key source: the JWKS document (private members, HMAC keys,
 * alg/kty mismatch, duplicate kids, huge documents), the JWKS server (hanging), and tokens that
 * try to pick where keys come from (`jku`, `x5u`, an unknown or URL-shaped `kid`). Real HTTP
 * servers on port 0 count every request: the attacker's must never see one.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import {
  authenticationFailureBody,
  generateSigningKey,
  KeyRing,
  ResourceVerifier,
  type ResourceVerifyResult,
  type SigningKey,
  type TokenErrorCode,
  TokenIssuer,
} from '@tessera/core'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { type JwksServer, startJwksServer } from '../jwks/jwks-server.js'
import { ASYMMETRIC_ALGS, attackerKey, b64url, forge, NOW, tokenClaims } from './forge.js'

let issuerServer: JwksServer
let attacker: JwksServer
let now: number
const clock = () => now

beforeEach(async () => {
  now = NOW
  issuerServer = await startJwksServer()
  attacker = await startJwksServer()
})
afterEach(async () => {
  await issuerServer.close()
  await attacker.close()
})

function genuine(key: SigningKey): string {
  return new TokenIssuer({ keyRing: new KeyRing([key]), clock }).issueTokenPair({ id: 42 }).access
    .token
}
const jwksOf = (...keys: SigningKey[]) => KeyRing.forVerification(keys).toJwks(NOW)

async function outcome(verifier: ResourceVerifier, token: string): Promise<ResourceVerifyResult> {
  try {
    return await verifier.verify(token)
  } catch (error) {
    return expect.fail(`verify threw instead of returning a result: ${String(error)}`)
  }
}

/** A refusal with `code`, a 401 and the generic body. */
async function expectRefused(verifier: ResourceVerifier, token: string, code: TokenErrorCode) {
  const result = await outcome(verifier, token)
  if (result.ok) return expect.fail(`accepted; expected ${code}`)
  expect(result.error.code).toBe(code)
  expect(authenticationFailureBody(code)).toEqual(authenticationFailureBody('token_key_unknown'))
}

async function expectAccepted(verifier: ResourceVerifier, token: string) {
  const result = await outcome(verifier, token)
  if (!result.ok) return expect.fail(`genuine token refused with ${result.error.code}`)
}

describe.each(ASYMMETRIC_ALGS)('a JWKS with private or secret members (%s issuer)', (alg) => {
  it('is refused as a whole: the leaked key never verifies, tokens get 503 until a good one', async () => {
    const { privateKey } =
      alg === 'RS256'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : alg === 'ES256'
          ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
          : generateKeyPairSync('ed25519')
    const leaked = { ...privateKey.export({ format: 'jwk' }), kid: 'leaked', alg, use: 'sig' }
    const good = generateSigningKey(alg)
    issuerServer.serve({ keys: [...jwksOf(good).keys, leaked] })
    const verifier = new ResourceVerifier({ jwksUri: issuerServer.url, clock })
    await expect(verifier.ready()).rejects.toMatchObject({ reason: 'key_invalid' })
    const forged = forge(alg, privateKey, { alg, typ: 'JWT', kid: 'leaked' }, tokenClaims())
    const result = await outcome(verifier, forged)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.error.code).toBe('service_unavailable')
    expect(issuerServer.hits).toBe(1)
  })
})

describe('an HMAC (oct) key in the JWKS', () => {
  it('never becomes an HMAC secret, and keeps the last good keys', async () => {
    const good = generateSigningKey('ES256')
    issuerServer.serve(jwksOf(good), { 'cache-control': 'max-age=0' })
    const verifier = new ResourceVerifier({
      jwksUri: issuerServer.url,
      clock,
      remote: { minCacheSeconds: 0, cooldownSeconds: 1 },
    })
    await verifier.ready()
    const secret = randomBytes(48)
    issuerServer.serve({
      keys: [...jwksOf(good).keys, { kty: 'oct', kid: 'hs', alg: 'HS256', k: b64url(secret) }],
    })
    now += 1
    const forged = forge('HS256', secret, { alg: 'HS256', typ: 'JWT', kid: 'hs' }, tokenClaims())
    await expectRefused(verifier, forged, 'token_key_unknown')
    expect(issuerServer.hits).toBe(2)
    expect(verifier.remote?.keys.map((key) => key.kid)).toEqual([good.kid])
    await expectAccepted(verifier, genuine(good))
  })
})

describe('alg/kty mismatch in the JWKS', () => {
  it.each([
    ['HS256 on an EC key', 'HS256'],
    ['RS256 on an EC key', 'RS256'],
    ['EdDSA on an EC key', 'EdDSA'],
    ['none', 'none'],
  ])('refuses %s: no key can be used with another algorithm', async (_name, alg) => {
    const good = generateSigningKey('ES256')
    const [jwk] = jwksOf(good).keys
    issuerServer.serve({ keys: [{ ...jwk, alg }] })
    const verifier = new ResourceVerifier({ jwksUri: issuerServer.url, clock })
    await expect(verifier.ready()).rejects.toMatchObject({ reason: 'key_invalid' })
    const result = await outcome(verifier, genuine(good))
    expect(result.ok).toBe(false)
  })
})

describe('duplicate kids in the JWKS', () => {
  it('are refused: a second key cannot shadow the genuine one', async () => {
    const good = generateSigningKey('ES256')
    const shadow = generateSigningKey('ES256', { kid: good.kid })
    issuerServer.serve({ keys: [...jwksOf(good).keys, ...jwksOf(shadow).keys] })
    const verifier = new ResourceVerifier({ jwksUri: issuerServer.url, clock })
    await expect(verifier.ready()).rejects.toMatchObject({ reason: 'duplicate_kid' })
    const result = await outcome(verifier, genuine(shadow))
    expect(result.ok).toBe(false)
  })
})

describe('huge JWKS documents', () => {
  it.each([
    ['1 MB of padding', () => `{"keys":[],"pad":"${'x'.repeat(1 << 20)}"}`],
    ['100,000 keys', () => JSON.stringify({ keys: Array.from({ length: 100_000 }, () => ({})) })],
    ['50 valid keys', () => JSON.stringify(jwksOf(...fiftyKeys()))],
  ])('%s: refused, and the last good keys keep verifying', async (_name, body) => {
    const good = generateSigningKey('EdDSA')
    issuerServer.serve(jwksOf(good))
    const verifier = new ResourceVerifier({
      jwksUri: issuerServer.url,
      clock,
      remote: { maxKeys: 20, cooldownSeconds: 0, maxBytes: 64 * 1024 },
    })
    await verifier.ready()
    const text = body()
    issuerServer.respond((_request, response) => response.end(text))
    await verifier.remote?.refresh()
    expect(verifier.remote?.keys.map((key) => key.kid)).toEqual([good.kid])
    await expectAccepted(verifier, genuine(good))
  })
})

let fifty: SigningKey[] | undefined
function fiftyKeys(): SigningKey[] {
  fifty ??= Array.from({ length: 50 }, () => generateSigningKey('EdDSA'))
  return fifty
}

describe('a slow or hanging JWKS server', () => {
  it('times out: the first request gets 503 without waiting for ever', async () => {
    issuerServer.respond(() => {})
    const verifier = new ResourceVerifier({
      jwksUri: issuerServer.url,
      clock,
      remote: { timeoutSeconds: 0.3 },
    })
    const started = performance.now()
    const result = await outcome(verifier, genuine(generateSigningKey('ES256')))
    expect(result.ok ? '' : result.error.code).toBe('service_unavailable')
    // Bounded by the timeout (generous margin for a loaded machine), not by the server.
    expect(performance.now() - started).toBeLessThan(10_000)
    await expect(verifier.ready()).rejects.toMatchObject({ reason: 'fetch_timeout' })
  })

  it('times out a refresh for an unknown kid: 401, the known keys keep working', async () => {
    const good = generateSigningKey('ES256')
    issuerServer.serve(jwksOf(good))
    const verifier = new ResourceVerifier({
      jwksUri: issuerServer.url,
      clock,
      remote: { timeoutSeconds: 0.3, cooldownSeconds: 0 },
    })
    await verifier.ready()
    issuerServer.respond(() => {})
    await expectRefused(verifier, genuine(generateSigningKey('ES256')), 'token_key_unknown')
    await expectAccepted(verifier, genuine(good))
  })
})

describe('tokens that point at key sources (jku, x5u, kid)', () => {
  async function setUp() {
    const good = generateSigningKey('ES256')
    issuerServer.serve(jwksOf(good))
    // The attacker publishes their own key at their own URL.
    const evil = generateSigningKey('ES256', { kid: 'evil' })
    const evilPair = { ...jwksOf(evil) }
    attacker.serve(evilPair)
    const verifier = new ResourceVerifier({ jwksUri: issuerServer.url, clock })
    await verifier.ready()
    return { good, evil, verifier }
  }

  it.each(['jku', 'x5u'])('a %s header is refused and never fetched', async (member) => {
    const { good, evil, verifier } = await setUp()
    for (const kid of [good.kid, 'evil']) {
      const header = { alg: 'ES256', typ: 'JWT', kid, [member]: attacker.url }
      await expectRefused(
        verifier,
        forge('ES256', evil.signingKey as never, header, tokenClaims()),
        'token_header_forbidden',
      )
    }
    expect(attacker.hits).toBe(0)
    expect(issuerServer.hits).toBe(1)
    await expectAccepted(verifier, genuine(good))
  })

  it('a kid naming the attacker URL costs one fetch of the configured URL only', async () => {
    const { good, evil, verifier } = await setUp()
    now += 30
    for (const kid of [attacker.url, attacker.origin, 'evil', `${attacker.url}?x=1`]) {
      const header = { alg: 'ES256', typ: 'JWT', kid }
      const result = await outcome(
        verifier,
        forge('ES256', evil.signingKey as never, header, tokenClaims()),
      )
      expect(result.ok).toBe(false)
    }
    expect(attacker.hits).toBe(0)
    expect(issuerServer.paths).toEqual(['/.well-known/jwks.json', '/.well-known/jwks.json'])
    await expectAccepted(verifier, genuine(good))
  })

  it('an embedded jwk or x5c is refused without a fetch', async () => {
    const { verifier } = await setUp()
    const key = attackerKey('ES256')
    for (const extra of [{ jwk: { kty: 'EC' } }, { x5c: ['MIIB'] }]) {
      const header = { alg: 'ES256', typ: 'JWT', kid: 'evil', ...extra }
      await expectRefused(
        verifier,
        forge('ES256', key, header, tokenClaims()),
        'token_header_forbidden',
      )
    }
    expect(attacker.hits + issuerServer.hits).toBe(1)
  })
})

describe('unknown kids under load (refresh storms)', () => {
  it('100 concurrent requests with unknown kids cost at most one fetch per cooldown', async () => {
    const good = generateSigningKey('EdDSA')
    issuerServer.serve(jwksOf(good))
    const verifier = new ResourceVerifier({ jwksUri: issuerServer.url, clock })
    await verifier.ready()
    const key = attackerKey('EdDSA')
    const storm = () =>
      Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          outcome(
            verifier,
            forge('EdDSA', key, { alg: 'EdDSA', typ: 'JWT', kid: `k${i}-${now}` }, tokenClaims()),
          ),
        ),
      )
    now += 30
    const first = await storm()
    expect(first.every((result) => !result.ok && result.error.code === 'token_key_unknown')).toBe(
      true,
    )
    expect(issuerServer.hits).toBe(2)
    now += 29
    await storm()
    expect(issuerServer.hits).toBe(2)
    now += 1
    await storm()
    expect(issuerServer.hits).toBe(3)
    expect(attacker.hits).toBe(0)
    await expectAccepted(verifier, genuine(good))
  })

  it('100 concurrent first requests share the one initial fetch', async () => {
    const good = generateSigningKey('RS256')
    issuerServer.serve(jwksOf(good))
    const verifier = new ResourceVerifier({ jwksUri: issuerServer.url, clock })
    const token = genuine(good)
    const results = await Promise.all(Array.from({ length: 100 }, () => outcome(verifier, token)))
    expect(results.every((result) => result.ok)).toBe(true)
    expect(issuerServer.hits).toBe(1)
  })
})
