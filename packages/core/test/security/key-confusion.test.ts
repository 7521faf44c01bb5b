import { type JsonWebKey, randomBytes } from 'node:crypto'
import {
  generateSigningKey,
  type HmacAlgorithm,
  importHmacKey,
  KeyError,
  type KeyRing,
  type SigningKey,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'
import {
  ASYMMETRIC_ALGS,
  createFixture,
  expectRejected,
  type Fixture,
  forge,
  keepGenuineWorking,
  NOW,
  RING_ALGS,
  ringKey,
  tokenClaims,
} from './forge.js'

const HMAC_ALGS: readonly HmacAlgorithm[] = ['HS256', 'HS384', 'HS512']

/** One way the ring's public key can be written down, and whether it looks like a key. */
interface Encoding {
  readonly name: string
  readonly secret: string | Buffer
  /** A PEM or JWK text: the HMAC importer must refuse it as a secret. */
  readonly looksLikeKey: boolean
}

function rawPublicKey(jwk: JsonWebKey): Buffer {
  if (jwk.kty === 'RSA') return Buffer.from(jwk.n as string, 'base64url')
  if (jwk.kty === 'EC') {
    const x = Buffer.from(jwk.x as string, 'base64url')
    const y = Buffer.from(jwk.y as string, 'base64url')
    return Buffer.concat([Buffer.from([4]), x, y])
  }
  return Buffer.from(jwk.x as string, 'base64url')
}

/** Every encoding of `key`'s public half an attacker can fetch or guess (JWKS, docs, repos). */
function publicKeyEncodings(key: SigningKey, ring: KeyRing): Encoding[] {
  const pub = key.verifyingKey
  const pem = pub.export({ type: 'spki', format: 'pem' }) as string
  const jwk = pub.export({ format: 'jwk' })
  const armorless = pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('')
  const encodings: Encoding[] = [
    { name: 'PEM (SPKI)', secret: pem, looksLikeKey: true },
    { name: 'PEM without its final newline', secret: pem.trimEnd(), looksLikeKey: true },
    { name: 'PEM with CRLF line ends', secret: pem.replaceAll('\n', '\r\n'), looksLikeKey: true },
    { name: 'newline-prefixed PEM', secret: `\n${pem}`, looksLikeKey: true },
    { name: 'whitespace-prefixed PEM', secret: ` \t\r\n ${pem}`, looksLikeKey: true },
    { name: 'PEM as bytes', secret: Buffer.from(pem), looksLikeKey: true },
    { name: 'PEM body without its armor', secret: armorless, looksLikeKey: false },
    {
      name: 'DER (SPKI)',
      secret: pub.export({ type: 'spki', format: 'der' }),
      looksLikeKey: false,
    },
    { name: 'JWK JSON', secret: JSON.stringify(jwk), looksLikeKey: true },
    {
      name: 'JWK JSON as the JWKS endpoint publishes it',
      secret: JSON.stringify(ring.toJwks(NOW).keys[0]),
      looksLikeKey: true,
    },
    {
      name: 'the whole JWKS document',
      secret: JSON.stringify(ring.toJwks(NOW)),
      looksLikeKey: true,
    },
    { name: 'newline-prefixed JWK JSON', secret: `\n${JSON.stringify(jwk)}`, looksLikeKey: true },
    { name: 'raw public key bytes', secret: rawPublicKey(jwk), looksLikeKey: false },
  ]
  if (key.alg === 'RS256') {
    const pkcs1 = pub.export({ type: 'pkcs1', format: 'pem' }) as string
    encodings.push(
      { name: 'PKCS#1 PEM', secret: pkcs1, looksLikeKey: true },
      { name: 'newline-prefixed PKCS#1 PEM', secret: `\n\n${pkcs1}`, looksLikeKey: true },
      {
        name: 'PKCS#1 DER',
        secret: pub.export({ type: 'pkcs1', format: 'der' }),
        looksLikeKey: false,
      },
    )
  }
  return encodings
}

// CVE-2015-9235 / CVE-2016-10555: an attacker HMACs a token with the public key as the secret
// and announces HS256. Each key has exactly one algorithm, so the announced alg never matches.
describe.each(ASYMMETRIC_ALGS)(
  'RS/ES -> HS key confusion with every public-key encoding (%s ring)',
  (alg) => {
    const fixture: Fixture = createFixture(alg)
    keepGenuineWorking(() => fixture)
    const encodings = publicKeyEncodings(fixture.key, fixture.ring)
    const cases = encodings.flatMap((encoding) =>
      HMAC_ALGS.flatMap((hs) => [
        [encoding.name, hs, "the ring's kid", encoding.secret, fixture.key.kid] as const,
        [encoding.name, hs, 'no kid', encoding.secret, undefined] as const,
      ]),
    )

    it.each(cases)('%s as an %s secret, %s', (_name, hs, _kidCase, secret, kid) => {
      const header = kid === undefined ? { alg: hs, typ: 'JWT' } : { alg: hs, typ: 'JWT', kid }
      const token = forge(hs, secret, header, tokenClaims())
      expectRejected(fixture.verifier, token, 'token_algorithm_mismatch')
      expectRejected(fixture.verifier, token, 'token_algorithm_mismatch', 'access')
    })

    it.each(encodings.filter((encoding) => encoding.looksLikeKey))(
      'the importer refuses the $name as an HMAC secret',
      ({ secret }) => {
        for (const hs of HMAC_ALGS) {
          let error: unknown
          try {
            importHmacKey(secret, hs)
          } catch (caught) {
            error = caught
          }
          expect(error).toBeInstanceOf(KeyError)
          expect((error as KeyError).code).toBe('key_invalid')
          expect((error as KeyError).message).not.toContain(String(secret).trim().slice(0, 40))
        }
      },
    )

    describe('in a ring that also holds an HMAC key', () => {
      const hmacKey = importHmacKey(randomBytes(48), 'HS256', { kid: 'hs-next', status: 'next' })
      const mixed: Fixture = createFixture(alg, { keys: [ringKey(alg), hmacKey] })
      keepGenuineWorking(() => mixed)

      it('never publishes the HMAC secret in the JWKS', () => {
        expect(mixed.ring.toJwks(NOW).keys.map((jwk) => jwk.kid)).toEqual([fixture.key.kid])
      })

      it.each(encodings)(
        'the $name as the secret of the HMAC kid does not verify',
        ({ secret }) => {
          const token = forge(
            'HS256',
            secret,
            { alg: 'HS256', typ: 'JWT', kid: 'hs-next' },
            tokenClaims(),
          )
          expectRejected(mixed.verifier, token, 'token_signature_invalid')
        },
      )

      it.each(encodings)(
        'the $name as an HMAC secret under the public kid or no kid is an alg mismatch',
        ({ secret }) => {
          const claims = tokenClaims()
          const kidless = forge('HS256', secret, { alg: 'HS256', typ: 'JWT' }, claims)
          const publicKid = { alg: 'HS256', typ: 'JWT', kid: fixture.key.kid }
          expectRejected(mixed.verifier, kidless, 'token_algorithm_mismatch')
          expectRejected(
            mixed.verifier,
            forge('HS256', secret, publicKid, claims),
            'token_algorithm_mismatch',
          )
        },
      )
    })
  },
)

const BLANK_SECRETS: [string, string | Uint8Array][] = [
  ['the empty string', ''],
  ['a space', ' '],
  ['whitespace and newlines', ' \t\r\n '],
  ['64 spaces', ' '.repeat(64)],
  ['64 newlines', '\n'.repeat(64)],
  ['an empty Buffer', Buffer.alloc(0)],
  ['an empty Uint8Array', new Uint8Array(0)],
]

const WEAK_SECRETS: [string, string | Uint8Array][] = [
  ['"secret"', 'secret'],
  ["jwt.io's example secret", 'your-256-bit-secret'],
  ['one byte', Buffer.from([1])],
  ['15 two-byte characters (30 bytes)', 'é'.repeat(15)],
  ['31 random bytes', randomBytes(31)],
]

/** The minimum secret size of each HMAC algorithm: its hash output (RFC 7518 3.2). */
const MINIMUM_BYTES: Record<HmacAlgorithm, number> = { HS256: 32, HS384: 48, HS512: 64 }

function importError(secret: string | Uint8Array, alg: HmacAlgorithm): KeyError {
  try {
    importHmacKey(secret, alg)
  } catch (error) {
    expect(error).toBeInstanceOf(KeyError)
    return error as KeyError
  }
  return expect.fail(`importHmacKey accepted a bad ${alg} secret`)
}

// RFC 7518 3.2 and security.md: refuse to start with a blank or short HMAC key (a weak secret
// is brute-forced offline from one token: hashcat -m 16500). Tokens signed with the usual weak
// secrets never verify against a ring that holds a real one.
describe.each(RING_ALGS)('blank and weak HMAC keys (%s ring)', (alg) => {
  const fixture: Fixture = createFixture(alg)
  keepGenuineWorking(() => fixture)

  describe.each(HMAC_ALGS)('importing an %s key', (hs) => {
    it.each(BLANK_SECRETS)('refuses %s', (_case, secret) => {
      const error = importError(secret, hs)
      expect(error.code).toBe('key_invalid')
      expect(error.message).toMatch(/empty/)
    })

    it.each(WEAK_SECRETS)('refuses %s', (_case, secret) => {
      const error = importError(secret, hs)
      expect(error.code).toBe('key_invalid')
      if (typeof secret === 'string' && secret.trim() !== '')
        expect(error.message).not.toContain(secret)
    })

    it('refuses one byte under the hash size and accepts the hash size', () => {
      const minimum = MINIMUM_BYTES[hs]
      expect(importError(randomBytes(minimum - 1), hs).message).toContain(
        `at least ${minimum} bytes`,
      )
      expect(importHmacKey(randomBytes(minimum), hs).alg).toBe(hs)
    })

    it('generates keys of at least 48 bytes and the hash size', () => {
      const key = generateSigningKey(hs)
      const size = key.verifyingKey.symmetricKeySize as number
      expect(size).toBeGreaterThanOrEqual(Math.max(48, MINIMUM_BYTES[hs]))
    })

    // Regression: the PEM/JWK sniff once refused random secrets whose first byte was '{'
    // (1 in 256), so generateSigningKey threw at random. Binary is never a PEM or a JWK.
    it.each([
      ["'{'", '{'],
      ["whitespace then '{'", ' \t\n{'],
      ["'-----BEGIN'", '-----BEGIN'],
      ["a no-break space then '-----BEGIN'", '\u00a0-----BEGIN'],
    ])('accepts random binary secrets that start with %s', (_case, start) => {
      const prefix = Buffer.from(start, 'latin1')
      const secret = Buffer.concat([prefix, Buffer.from([0xff]), randomBytes(MINIMUM_BYTES[hs])])
      expect(importHmacKey(secret, hs).alg).toBe(hs)
    })

    it('generates 2000 keys without refusing one', () => {
      for (let i = 0; i < 2000; i++) expect(generateSigningKey(hs).alg).toBe(hs)
    })
  })

  const expected = alg === 'HS256' ? 'token_signature_invalid' : 'token_algorithm_mismatch'
  it.each([...BLANK_SECRETS, ...WEAK_SECRETS])(
    `a token HMAC-signed with %s is refused (${expected})`,
    (_case, secret) => {
      const claims = tokenClaims()
      const withKid = forge(
        'HS256',
        secret,
        { alg: 'HS256', typ: 'JWT', kid: fixture.key.kid },
        claims,
      )
      const kidless = forge('HS256', secret, { alg: 'HS256', typ: 'JWT' }, claims)
      expectRejected(fixture.verifier, withKid, expected)
      expectRejected(fixture.verifier, kidless, expected)
    },
  )
})
