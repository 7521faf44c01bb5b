import { generateKeyPairSync } from 'node:crypto'
import {
  generateSigningKey,
  importJwks,
  JwksError,
  KeyRing,
  parseJwks,
  type SigningKey,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

function publicJwk(key: SigningKey): Record<string, unknown> {
  return KeyRing.forVerification([key]).toJwks(0).keys[0] as unknown as Record<string, unknown>
}

const es = generateSigningKey('ES256')
const ed = generateSigningKey('EdDSA')
const rs = generateSigningKey('RS256')

function refusal(run: () => unknown): JwksError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(JwksError)
    expect((error as JwksError).code).toBe('key_invalid')
    return error as JwksError
  }
  return expect.fail('the document was accepted')
}

describe('importJwks', () => {
  it('imports RS256, ES256 and EdDSA public keys as verify-only keys', () => {
    const keys = importJwks({ keys: [publicJwk(es), publicJwk(ed), publicJwk(rs)] })
    expect(keys.map((key) => [key.kid, key.alg])).toEqual([
      [es.kid, 'ES256'],
      [ed.kid, 'EdDSA'],
      [rs.kid, 'RS256'],
    ])
    for (const key of keys) expect(key.signingKey).toBeUndefined()
    expect(keys[0]?.verifyingKey.export({ format: 'jwk' })).toEqual(
      es.verifyingKey.export({ format: 'jwk' }),
    )
  })

  it('accepts keys without alg or use, and ignores unknown members', () => {
    const { alg: _alg, use: _use, ...bare } = publicJwk(es)
    const [key] = importJwks({ keys: [{ ...bare, x5t: 'abc', extra: 1 }] })
    expect(key?.alg).toBe('ES256')
  })

  it('leaves out valid keys of algorithms not allowed, but still checks them', () => {
    const keys = importJwks({ keys: [publicJwk(es), publicJwk(rs)] }, { algorithms: ['RS256'] })
    expect(keys.map((key) => key.alg)).toEqual(['RS256'])
    refusal(() =>
      importJwks(
        { keys: [{ ...publicJwk(es), d: 'AAAA' }, publicJwk(rs)] },
        { algorithms: ['RS256'] },
      ),
    )
  })

  it.each([
    ['no kid', (jwk: Record<string, unknown>) => ({ ...jwk, kid: undefined })],
    ['an empty kid', (jwk: Record<string, unknown>) => ({ ...jwk, kid: '' })],
    ['a numeric kid', (jwk: Record<string, unknown>) => ({ ...jwk, kid: 7 })],
    ['a kid with a slash', (jwk: Record<string, unknown>) => ({ ...jwk, kid: '../keys/a' })],
    ['use enc', (jwk: Record<string, unknown>) => ({ ...jwk, use: 'enc' })],
    ['key_ops sign', (jwk: Record<string, unknown>) => ({ ...jwk, key_ops: ['sign'] })],
    ['alg HS256', (jwk: Record<string, unknown>) => ({ ...jwk, alg: 'HS256' })],
    ['alg RS256 on an EC key', (jwk: Record<string, unknown>) => ({ ...jwk, alg: 'RS256' })],
    ['alg none', (jwk: Record<string, unknown>) => ({ ...jwk, alg: 'none' })],
    ['crv P-384', (jwk: Record<string, unknown>) => ({ ...jwk, crv: 'P-384' })],
    ['kty oct', (jwk: Record<string, unknown>) => ({ ...jwk, kty: 'oct', k: 'c2VjcmV0' })],
    ['a missing y', (jwk: Record<string, unknown>) => ({ ...jwk, y: undefined })],
    ['a garbage x', (jwk: Record<string, unknown>) => ({ ...jwk, x: 'not-a-point' })],
  ])('refuses the whole document for a key with %s', (_name, spoil) => {
    const bad = JSON.parse(JSON.stringify(spoil(publicJwk(es))))
    const error = refusal(() => importJwks({ keys: [publicJwk(rs), bad] }))
    expect(error.message).toMatch(/^JWKS key 1/)
  })

  it.each(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])(
    'refuses a key carrying the private member %s, without quoting it',
    (member) => {
      const error = refusal(() =>
        importJwks({ keys: [{ ...publicJwk(rs), [member]: 'SECRETVALUE' }] }),
      )
      expect(error.reason).toBe('key_invalid')
      expect(error.message).not.toContain('SECRETVALUE')
    },
  )

  it('refuses a private JWK exported by node:crypto', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'leaked', alg: 'ES256' }
    expect(refusal(() => importJwks({ keys: [jwk] })).message).toContain('private member "d"')
  })

  it('refuses an RSA key under 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const jwk = { ...publicKey.export({ format: 'jwk' }), kid: 'small' }
    expect(refusal(() => importJwks({ keys: [jwk] })).message).toContain('RSA >= 2048')
  })

  it('refuses duplicate kids', () => {
    const twin = { ...publicJwk(ed), kid: es.kid }
    expect(refusal(() => importJwks({ keys: [publicJwk(es), twin] })).reason).toBe('duplicate_kid')
  })

  it.each([null, [], 'keys', { keys: {} }, { key: [] }])('refuses a non-JWKS %j', (document) => {
    expect(refusal(() => importJwks(document)).reason).toBe('document_invalid')
  })

  it('refuses more keys than maxKeys', () => {
    const keys = [publicJwk(es), publicJwk(ed), publicJwk(rs)]
    expect(refusal(() => importJwks({ keys }, { maxKeys: 2 })).reason).toBe('too_many_keys')
  })
})

describe('parseJwks', () => {
  it('refuses a document over maxBytes before parsing it', () => {
    const text = JSON.stringify({ keys: [publicJwk(es)], pad: 'x'.repeat(70_000) })
    expect(refusal(() => parseJwks(text)).reason).toBe('document_too_large')
    expect(parseJwks(JSON.stringify({ keys: [publicJwk(es)] }))).toHaveLength(1)
  })

  it('refuses text that is not JSON, and repeated member names', () => {
    expect(refusal(() => parseJwks('{"keys": [')).reason).toBe('document_invalid')
    const jwk = JSON.stringify(publicJwk(rs))
    const duplicated = `{"keys":[${jwk.slice(0, -1)},"kid":"other"}]}`
    expect(refusal(() => parseJwks(duplicated)).reason).toBe('document_invalid')
  })
})

describe('KeyRing.forVerification', () => {
  it('verifies with keys that cannot sign, and has no current key', () => {
    const [key] = importJwks({ keys: [publicJwk(es)] })
    const ring = KeyRing.forVerification(key ? [key] : [])
    expect(ring.canSign).toBe(false)
    expect(() => ring.current).toThrow(/cannot sign/)
    expect(ring.verificationKey(es.kid, 0)).toBe(key)
    expect(ring.verificationKey(undefined, 0)).toBeUndefined()
  })

  it('keeps the constructor strict and checks defaultKid and duplicates', () => {
    expect(() => new KeyRing([es, ed])).toThrow(/exactly one current key/)
    expect(() => KeyRing.forVerification([es, es])).toThrow(/duplicate kid/)
    expect(() => KeyRing.forVerification([es], { defaultKid: 'nope' })).toThrow(/not in the ring/)
    const ring = KeyRing.forVerification([es, ed], { defaultKid: ed.kid })
    expect(ring.defaultKey).toBe(ed)
    expect(new KeyRing([es]).canSign).toBe(true)
  })
})
