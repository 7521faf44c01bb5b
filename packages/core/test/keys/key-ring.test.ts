// The key ring: exactly one current key signs; kid-less tokens go to the default key and only to
// it; retired keys verify until verifyUntil; the JWKS holds public keys only and works in jose;
// the ring built from settings refuses weak or mismatched keys without quoting them.
import { generateKeyPairSync, type KeyObject } from 'node:crypto'
import {
  type Algorithm,
  type AsymmetricAlgorithm,
  createTokenEngine,
  generateSigningKey,
  importAsymmetricKey,
  importHmacKey,
  KeyError,
  KeyRing,
  keyRingFromSettings,
  loadSettings,
  type SettingsInput,
  type SigningKey,
  TokenIssuer,
  TokenVerifier,
  type VerifyResult,
} from '@tessera/core'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { accessClaims, NOW, signWithJose } from '../tokens/jws-fixtures.js'

const clock = () => NOW

function outcome(result: VerifyResult): string {
  return result.ok ? `ok:${result.token.kid}` : result.error.code
}

function keyErrorOf(fn: () => unknown): KeyError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(KeyError)
    return error as KeyError
  }
  throw new Error('expected a KeyError')
}

/** A token signed by `key` (whatever its status) at NOW, via a one-key ring. */
function tokenOf(key: SigningKey, lifetime = 86_400): string {
  const signer = importSigner(key)
  return new TokenIssuer({
    keyRing: new KeyRing([signer]),
    clock,
    lifetimes: { access: lifetime },
  }).issueAccessToken({ id: 1 }).token
}

/** The same key material and kid, as a current key (a ring signs only with its current key). */
function importSigner(key: SigningKey): SigningKey {
  if (key.signingKey === undefined) throw new Error('fixture: verify-only key')
  if (key.alg === 'HS256' || key.alg === 'HS384' || key.alg === 'HS512') {
    return importHmacKey(key.signingKey.export(), key.alg, { kid: key.kid, allowWeakKey: true })
  }
  return importAsymmetricKey(key.alg, { privateKey: key.signingKey, kid: key.kid })
}

describe('exactly one current key', () => {
  const current = () => generateSigningKey('ES256')

  it('refuses a ring without a current key, or with two', () => {
    const next = generateSigningKey('ES256', { status: 'next' })
    expect(keyErrorOf(() => new KeyRing([next])).message).toBe(
      'key ring: exactly one current key is required (found 0)',
    )
    keyErrorOf(() => new KeyRing([]))
    expect(keyErrorOf(() => new KeyRing([current(), current()])).message).toBe(
      'key ring: exactly one current key is required (found 2)',
    )
  })

  it('refuses a verify-only current key and duplicate kids', () => {
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const verifyOnly = importAsymmetricKey('ES256', { publicKey: pair.publicKey })
    keyErrorOf(() => new KeyRing([verifyOnly]))
    const a = current()
    const twin = generateSigningKey('ES256', { kid: a.kid, status: 'next' })
    expect(keyErrorOf(() => new KeyRing([a, twin])).message).toContain('duplicate kid')
  })

  it('signs with the current key, whatever the order of the ring', () => {
    const next = generateSigningKey('EdDSA', { status: 'next' })
    const cur = generateSigningKey('EdDSA')
    const retired = generateSigningKey('EdDSA', { status: 'retired', verifyUntil: NOW + 60 })
    const ring = new KeyRing([next, retired, cur])
    expect(ring.current).toBe(cur)
    expect(ring.keys).toStrictEqual([next, retired, cur])
    const result = new TokenVerifier({ keyRing: ring, clock }).verify(
      new TokenIssuer({ keyRing: ring, clock }).issueAccessToken({ id: 1 }).token,
    )
    expect(outcome(result)).toBe(`ok:${cur.kid}`)
  })
})

describe('kid-less tokens', () => {
  const a = generateSigningKey('HS256')
  const b = generateSigningKey('HS256', { status: 'next' })
  const claims = accessClaims(NOW)

  it('verify with the default key (the current one) and only with it', async () => {
    const verifier = new TokenVerifier({ keyRing: new KeyRing([a, b]), clock })
    expect(outcome(verifier.verify(await signWithJose(a, claims, { kid: null })))).toBe(
      `ok:${a.kid}`,
    )
    expect(outcome(verifier.verify(await signWithJose(b, claims, { kid: null })))).toBe(
      'token_signature_invalid',
    )
    // With its kid, b verifies: kid-less is the only restriction.
    expect(outcome(verifier.verify(await signWithJose(b, claims)))).toBe(`ok:${b.kid}`)
  })

  it('verify with the key named by defaultKid instead', async () => {
    const ring = new KeyRing([a, b], { defaultKid: b.kid })
    expect(ring.defaultKey).toBe(b)
    const verifier = new TokenVerifier({ keyRing: ring, clock })
    expect(outcome(verifier.verify(await signWithJose(b, claims, { kid: null })))).toBe(
      `ok:${b.kid}`,
    )
    expect(outcome(verifier.verify(await signWithJose(a, claims, { kid: null })))).toBe(
      'token_signature_invalid',
    )
    keyErrorOf(() => new KeyRing([a], { defaultKid: 'missing' }))
  })

  it("must use the default key's algorithm", async () => {
    const es = generateSigningKey('ES256')
    const verifier = new TokenVerifier({ keyRing: new KeyRing([es, b]), clock })
    expect(outcome(verifier.verify(await signWithJose(b, claims, { kid: null })))).toBe(
      'token_algorithm_mismatch',
    )
  })

  it('with an unknown kid never fall back to the default key', async () => {
    const verifier = new TokenVerifier({ keyRing: new KeyRing([a]), clock })
    expect(outcome(verifier.verify(await signWithJose(a, claims, { kid: 'nope' })))).toBe(
      'token_key_unknown',
    )
  })
})

describe('rotation', () => {
  it('next keys verify before they sign; retired keys verify until verifyUntil inclusive', () => {
    const old = generateSigningKey('ES256')
    const oldToken = tokenOf(old)
    const cur = generateSigningKey('ES256')
    const retired = importAsymmetricKey('ES256', {
      privateKey: old.signingKey as KeyObject,
      kid: old.kid,
      status: 'retired',
      verifyUntil: NOW + 100,
    })
    const next = generateSigningKey('ES256', { status: 'next' })
    const ring = new KeyRing([retired, cur, next])
    let now = NOW
    const verifier = new TokenVerifier({ keyRing: ring, clock: () => now })
    expect(outcome(verifier.verify(oldToken))).toBe(`ok:${old.kid}`)
    expect(outcome(verifier.verify(tokenOf(next)))).toBe(`ok:${next.kid}`)
    now = NOW + 100
    expect(outcome(verifier.verify(oldToken))).toBe(`ok:${old.kid}`)
    now = NOW + 100.5
    expect(outcome(verifier.verify(oldToken))).toBe('token_key_unknown')
    now = NOW + 101
    expect(outcome(verifier.verify(oldToken))).toBe('token_key_unknown')
    expect(ring.verificationKey(old.kid, NOW + 100)).toBe(retired)
    expect(ring.verificationKey(old.kid, NOW + 101)).toBeUndefined()
    expect(ring.verificationKey(undefined, NOW + 101)).toBe(cur)
  })

  it('issuer and verifier switch rings with useKeyRing', () => {
    const a = generateSigningKey('EdDSA')
    const b = generateSigningKey('EdDSA')
    const first = new KeyRing([a])
    const issuer = new TokenIssuer({ keyRing: first, clock })
    const verifier = new TokenVerifier({ keyRing: first, clock })
    const before = issuer.issueAccessToken({ id: 1 }).token
    const retiredA = importAsymmetricKey('EdDSA', {
      privateKey: a.signingKey as KeyObject,
      status: 'retired',
      verifyUntil: NOW + 10,
    })
    const second = new KeyRing([retiredA, b])
    issuer.useKeyRing(second)
    verifier.useKeyRing(second)
    const after = issuer.issueAccessToken({ id: 1 }).token
    expect(outcome(verifier.verify(before))).toBe(`ok:${a.kid}`)
    expect(outcome(verifier.verify(after))).toBe(`ok:${b.kid}`)
    verifier.useKeyRing(new KeyRing([b]))
    expect(outcome(verifier.verify(before))).toBe('token_key_unknown')
  })
})

describe('toJwks', () => {
  const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth']

  it('publishes only public asymmetric keys still able to verify, with kid, alg and use', () => {
    const rs = generateSigningKey('RS256')
    const es = generateSigningKey('ES256', { status: 'next' })
    const ed = generateSigningKey('EdDSA', { status: 'retired', verifyUntil: NOW + 10 })
    const gone = generateSigningKey('ES256', { status: 'retired', verifyUntil: NOW - 1 })
    const hs = generateSigningKey('HS256', { status: 'next' })
    const ring = new KeyRing([rs, es, ed, gone, hs])
    const jwks = ring.toJwks(NOW)
    expect(jwks.keys.map((k) => [k.kid, k.alg, k.use, k.kty])).toStrictEqual([
      [rs.kid, 'RS256', 'sig', 'RSA'],
      [es.kid, 'ES256', 'sig', 'EC'],
      [ed.kid, 'EdDSA', 'sig', 'OKP'],
    ])
    for (const key of jwks.keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member)
    }
    const text = JSON.stringify(jwks)
    for (const key of [rs, es, ed]) {
      const d = (key.signingKey as KeyObject).export({ format: 'jwk' }).d as string
      expect(text).not.toContain(d)
    }
    expect(text).not.toContain((hs.signingKey as KeyObject).export().toString('base64url'))
    expect(ring.toJwks(NOW + 11).keys.map((k) => k.kid)).toStrictEqual([rs.kid, es.kid])
  })

  it('an HMAC-only ring publishes nothing', () => {
    expect(new KeyRing([generateSigningKey('HS512')]).toJwks(NOW)).toStrictEqual({ keys: [] })
  })

  it.each(['RS256', 'ES256', 'EdDSA'] as const)(
    '%s: the JWKS verifies Tessera tokens in jose (createLocalJWKSet)',
    async (alg: AsymmetricAlgorithm) => {
      const cur = generateSigningKey(alg)
      const old = generateSigningKey(alg)
      const oldToken = tokenOf(old)
      const retired = importAsymmetricKey(alg, {
        privateKey: old.signingKey as KeyObject,
        status: 'retired',
        verifyUntil: NOW + 60,
      })
      const ring = new KeyRing([cur, retired])
      const jwks = createLocalJWKSet(ring.toJwks(NOW))
      const options = { algorithms: [alg], currentDate: new Date(NOW * 1000) }
      const token = new TokenIssuer({ keyRing: ring, clock }).issueAccessToken({ id: 5 })
      const { payload, protectedHeader } = await jwtVerify(token.token, jwks, options)
      expect(payload).toStrictEqual(token.claims)
      expect(protectedHeader.kid).toBe(cur.kid)
      expect((await jwtVerify(oldToken, jwks, options)).protectedHeader.kid).toBe(old.kid)
      // Past its window the retired key is gone from the JWKS.
      const later = createLocalJWKSet(ring.toJwks(NOW + 61))
      await expect(jwtVerify(oldToken, later, options)).rejects.toMatchObject({
        code: 'ERR_JWKS_NO_MATCHING_KEY',
      })
    },
  )
})

describe('keyRingFromSettings', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ed = generateKeyPairSync('ed25519')
  const PEM = {
    RS256: rsa.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    ES256: ec.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
    EdDSA: ed.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  }
  const PUBLIC_PEM = {
    RS256: rsa.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    ES256: ec.publicKey.export({ format: 'pem', type: 'spki' }) as string,
    EdDSA: ed.publicKey.export({ format: 'pem', type: 'spki' }) as string,
  }
  const SECRET = {
    HS256: 'x'.repeat(32),
    HS384: 'y'.repeat(48),
    HS512: 'z'.repeat(64),
  }
  const settings = (overrides: SettingsInput) =>
    loadSettings({ overrides, env: {}, configFile: false })

  function roundTrip(ring: KeyRing, alg: Algorithm): void {
    // The ring replaces ALGORITHM/SIGNING_KEY; the rest of the settings still apply.
    const engine = createTokenEngine(settings({}), { keyRing: ring, clock })
    expect(ring.current.alg).toBe(alg)
    const { access } = engine.issuer.issueTokenPair({ id: 3 })
    expect(outcome(engine.verifier.verify(access.token, 'access'))).toBe(`ok:${ring.current.kid}`)
  }

  it.each(Object.entries(SECRET))('%s from SIGNING_KEY', (alg, secret) => {
    const ring = keyRingFromSettings(settings({ ALGORITHM: alg as Algorithm, SIGNING_KEY: secret }))
    expect(ring.keys).toHaveLength(1)
    expect(ring.current.alg).toBe(alg)
    expect(ring.defaultKey).toBe(ring.current)
    roundTrip(ring, alg as Algorithm)
  })

  it.each(Object.entries(PEM))(
    '%s from a PKCS#8 SIGNING_KEY, alone or with VERIFYING_KEY',
    (alg, pem) => {
      const a = alg as AsymmetricAlgorithm
      const alone = keyRingFromSettings(settings({ ALGORITHM: a, SIGNING_KEY: pem }))
      const both = keyRingFromSettings(
        settings({ ALGORITHM: a, SIGNING_KEY: pem, VERIFYING_KEY: PUBLIC_PEM[a] }),
      )
      expect(alone.current.alg).toBe(alg)
      expect(both.current.kid).toBe(alone.current.kid)
      roundTrip(both, a)
    },
  )

  it.each(Object.entries(PEM))('%s from JWK text and from TESSERA_* variables', (alg, pem) => {
    const a = alg as AsymmetricAlgorithm
    const privateJwk = JSON.stringify(
      (alg === 'RS256' ? rsa : alg === 'ES256' ? ec : ed).privateKey.export({ format: 'jwk' }),
    )
    const fromJwk = keyRingFromSettings(settings({ ALGORITHM: a, SIGNING_KEY: privateJwk }))
    const fromEnv = keyRingFromSettings(
      loadSettings({
        env: { TESSERA_ALGORITHM: alg, TESSERA_SIGNING_KEY: pem, TESSERA_ENV: 'production' },
        configFile: false,
      }),
    )
    expect(fromJwk.current.kid).toBe(fromEnv.current.kid)
    roundTrip(fromEnv, a)
  })

  it('refuses a missing SIGNING_KEY, and a VERIFYING_KEY for HMAC', () => {
    const fix = 'set TESSERA_SIGNING_KEY (or SIGNING_KEY in the code overrides) to'
    const generate = `node -e "console.log(require('crypto').randomBytes(48).toString('base64url'))"`
    expect(keyErrorOf(() => keyRingFromSettings(settings({ ALGORITHM: 'HS384' }))).message).toBe(
      `SIGNING_KEY is required for HS384: ${fix} a random secret of at least 48 bytes, ` +
        `e.g. the output of ${generate}`,
    )
    expect(keyErrorOf(() => keyRingFromSettings(settings({ ALGORITHM: 'ES256' }))).message).toBe(
      `SIGNING_KEY is required for ES256: ${fix} a PEM or JWK private key`,
    )
    keyErrorOf(() =>
      keyRingFromSettings(settings({ SIGNING_KEY: SECRET.HS256, VERIFYING_KEY: SECRET.HS256 })),
    )
  })

  it('refuses a mismatched VERIFYING_KEY and a key of the wrong type', () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey
    const mismatch = settings({
      ALGORITHM: 'ES256',
      SIGNING_KEY: PEM.ES256,
      VERIFYING_KEY: other.export({ format: 'pem', type: 'spki' }) as string,
    })
    expect(keyErrorOf(() => keyRingFromSettings(mismatch)).message).toBe(
      'ES256 key: VERIFYING_KEY is not the public half of SIGNING_KEY',
    )
    keyErrorOf(() => keyRingFromSettings(settings({ ALGORITHM: 'EdDSA', SIGNING_KEY: PEM.ES256 })))
    keyErrorOf(() =>
      keyRingFromSettings(settings({ ALGORITHM: 'ES256', SIGNING_KEY: PUBLIC_PEM.ES256 })),
    )
    // The HMAC confusion, from settings: a PEM as an HS256 secret.
    keyErrorOf(() => keyRingFromSettings(settings({ ALGORITHM: 'HS256', SIGNING_KEY: PEM.ES256 })))
  })

  describe('weak HMAC keys', () => {
    const weak = 'short-dev-key'

    it('are refused by default in every environment', () => {
      for (const ENV of ['development', 'test', 'production'] as const) {
        const error = keyErrorOf(() => keyRingFromSettings(settings({ SIGNING_KEY: weak, ENV })))
        expect(error.message).toContain('must be at least 32 bytes')
      }
    })

    it('are accepted with allowWeakKey in development and test only', () => {
      for (const ENV of ['development', 'test'] as const) {
        const ring = keyRingFromSettings(settings({ SIGNING_KEY: weak, ENV }), {
          allowWeakKey: true,
        })
        roundTrip(ring, 'HS256')
      }
      const production = settings({ SIGNING_KEY: weak, ENV: 'production' })
      keyErrorOf(() => keyRingFromSettings(production, { allowWeakKey: true }))
      keyErrorOf(() => createTokenEngine(production, { allowWeakKey: true }))
      // Too short for HS512 even though long enough for HS256.
      const hs512 = settings({ ALGORITHM: 'HS512', SIGNING_KEY: SECRET.HS256, ENV: 'production' })
      keyErrorOf(() => keyRingFromSettings(hs512, { allowWeakKey: true }))
    })

    it('empty or blank keys are refused even with allowWeakKey', () => {
      const blank = settings({ SIGNING_KEY: '   ', ENV: 'development' })
      keyErrorOf(() => keyRingFromSettings(blank, { allowWeakKey: true }))
    })
  })

  it('never quotes the key in its errors', () => {
    const weak = 'my-weak-signing-secret'
    const brokenJwk = `{"kty":"EC","crv":"P-256","d":"c2VjcmV0LWQtdmFsdWUtMTIz"`
    const damagedPem = PEM.ES256.replace(/\n[A-Za-z0-9+/]{20}/, '\n!!!!!!!!!!!!!!!!!!!!')
    const cases: [SettingsInput, string][] = [
      [{ SIGNING_KEY: weak, ENV: 'production' }, weak],
      [{ ALGORITHM: 'HS256', SIGNING_KEY: PEM.RS256 }, PEM.RS256],
      [{ ALGORITHM: 'ES256', SIGNING_KEY: brokenJwk }, 'c2VjcmV0LWQtdmFsdWUtMTIz'],
      [{ ALGORITHM: 'ES256', SIGNING_KEY: damagedPem }, damagedPem],
      [{ ALGORITHM: 'RS256', SIGNING_KEY: PEM.ES256 }, PEM.ES256],
      [
        { ALGORITHM: 'ES256', SIGNING_KEY: PEM.ES256, VERIFYING_KEY: PUBLIC_PEM.RS256 },
        PEM.ES256 + PUBLIC_PEM.RS256,
      ],
    ]
    for (const [overrides, secret] of cases) {
      const error = keyErrorOf(() =>
        keyRingFromSettings(settings(overrides), { allowWeakKey: true }),
      )
      const text = `${error.message} ${String(error.cause ?? '')}`
      for (const line of secret.split('\n')) {
        if (line.length >= 12 && !line.startsWith('-----')) expect(text).not.toContain(line)
      }
      if (!secret.includes('\n')) expect(text).not.toContain(secret)
    }
  })
})
