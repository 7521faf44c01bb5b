// Key import: each algorithm takes exactly one kind of key (RFC 8725 3.1), HMAC secrets are long
// enough (RFC 7518 3.2) and never a PEM/JWK (key confusion), kids are RFC 7638 thumbprints, and no
// error message ever carries key material.
import {
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto'
import {
  type AsymmetricAlgorithm,
  generateSigningKey,
  type HmacAlgorithm,
  importAsymmetricKey,
  importHmacKey,
  KeyError,
  TesseraError,
  thumbprint,
} from '@tessera/core'
import { calculateJwkThumbprint } from 'jose'
import { describe, expect, it } from 'vitest'

/** Runs `fn`, which must throw a KeyError, and returns that error. */
function keyErrorOf(fn: () => unknown): KeyError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(KeyError)
    expect(error).toBeInstanceOf(TesseraError)
    expect((error as KeyError).code).toBe('key_invalid')
    return error as KeyError
  }
  throw new Error('expected a KeyError')
}

/** Asserts that nothing of `secrets` (nor a 12-character slice of one) is in the error. */
function expectNoKeyMaterial(error: Error, ...secrets: string[]): void {
  const text = `${error.message}\n${String(error.cause ?? '')}\n${JSON.stringify(error)}`
  for (const secret of secrets) {
    expect(text).not.toContain(secret)
    for (let i = 0; i + 12 <= secret.length; i += 12) {
      const slice = secret.slice(i, i + 12)
      if (slice.trim().length === 12 && !slice.includes('-----')) expect(text).not.toContain(slice)
    }
  }
}

function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('-----'))
    .join('')
}

const pairs = {
  rsa2048: generateKeyPairSync('rsa', { modulusLength: 2048 }),
  rsa1024: generateKeyPairSync('rsa', { modulusLength: 1024 }),
  p256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
  p384: generateKeyPairSync('ec', { namedCurve: 'P-384' }),
  secp256k1: generateKeyPairSync('ec', { namedCurve: 'secp256k1' }),
  ed25519: generateKeyPairSync('ed25519'),
  ed448: generateKeyPairSync('ed448'),
  x25519: generateKeyPairSync('x25519'),
}

const pkcs8 = (key: KeyObject) => key.export({ format: 'pem', type: 'pkcs8' }) as string
const spki = (key: KeyObject) => key.export({ format: 'pem', type: 'spki' }) as string
const jwk = (key: KeyObject) => key.export({ format: 'jwk' })

describe('importHmacKey', () => {
  const MINIMUM: Record<HmacAlgorithm, number> = { HS256: 32, HS384: 48, HS512: 64 }

  it.each(Object.entries(MINIMUM))('%s needs at least %i bytes', (alg, bytes) => {
    const hmac = alg as HmacAlgorithm
    expect(importHmacKey('k'.repeat(bytes), hmac).alg).toBe(alg)
    expect(importHmacKey(randomBytes(bytes), hmac).alg).toBe(alg)
    const short = 'k'.repeat(bytes - 1)
    const error = keyErrorOf(() => importHmacKey(short, hmac))
    expect(error.message).toContain(
      `SIGNING_KEY for ${alg} must be at least ${bytes} bytes (it has ${bytes - 1})`,
    )
    keyErrorOf(() => importHmacKey(randomBytes(bytes - 1), hmac))
  })

  it('counts UTF-8 bytes, not characters', () => {
    expect(() => importHmacKey('é'.repeat(16), 'HS256')).not.toThrow() // 32 bytes
    keyErrorOf(() => importHmacKey(`${'é'.repeat(15)}x`, 'HS256')) // 31 bytes
  })

  it('accepts a short secret with allowWeakKey, for local development', () => {
    const key = importHmacKey('dev', 'HS512', { allowWeakKey: true })
    expect(key.signingKey?.export()).toStrictEqual(Buffer.from('dev'))
  })

  it.each([
    ['an empty string', ''],
    ['spaces', ' '.repeat(40)],
    ['tabs and newlines', '\t\n\r\n\t'.repeat(10)],
    ['no bytes', new Uint8Array(0)],
  ])('refuses %s, even with allowWeakKey', (_name, secret) => {
    for (const allowWeakKey of [false, true]) {
      const error = keyErrorOf(() => importHmacKey(secret, 'HS256', { allowWeakKey }))
      expect(error.message).toMatch(/empty/)
    }
  })

  it('refuses bytes that are only whitespace', () => {
    keyErrorOf(() => importHmacKey(Buffer.alloc(40, ' '), 'HS256'))
  })

  it.each([
    ['a public PEM (the RS256 -> HS256 confusion)', spki(pairs.rsa2048.publicKey)],
    ['a private PEM', pkcs8(pairs.p256.privateKey)],
    ['a PEM after whitespace', `\n  ${spki(pairs.ed25519.publicKey)}`],
    ['a JWK', JSON.stringify(jwk(pairs.p256.publicKey))],
    ['a JWK after whitespace', ` \n${JSON.stringify(jwk(pairs.rsa2048.publicKey))}`],
    ['an oct JWK', JSON.stringify({ kty: 'oct', k: randomBytes(48).toString('base64url') })],
  ])('refuses %s as an HMAC secret', (_name, text) => {
    for (const secret of [text, Buffer.from(text)]) {
      const error = keyErrorOf(() => importHmacKey(secret, 'HS256', { allowWeakKey: true }))
      expect(error.message).toBe(
        'SIGNING_KEY for HS256 looks like a PEM or JWK key; an HMAC key must be a secret',
      )
    }
  })

  it('refuses an asymmetric algorithm', () => {
    keyErrorOf(() => importHmacKey('k'.repeat(64), 'RS256' as HmacAlgorithm))
  })

  it('derives a stable kid that reveals nothing of the secret', () => {
    const secret = randomBytes(48)
    const a = importHmacKey(secret, 'HS256')
    const b = importHmacKey(Buffer.from(secret), 'HS256')
    const c = importHmacKey(randomBytes(48), 'HS256')
    expect(a.kid).toBe(b.kid)
    expect(a.kid).not.toBe(c.kid)
    expect(a.kid).toMatch(/^hs-[A-Za-z0-9_-]{16}$/)
    expect(a.kid).not.toContain(secret.toString('base64url').slice(0, 8))
  })

  it('honours an explicit kid and refuses one that is not a plain token', () => {
    expect(importHmacKey('k'.repeat(32), 'HS256', { kid: '2025-06.a~b_c' }).kid).toBe(
      '2025-06.a~b_c',
    )
    for (const kid of ['', '../../etc/passwd', 'a b', 'x'.repeat(129), 'é', 'a/b']) {
      keyErrorOf(() => importHmacKey('k'.repeat(32), 'HS256', { kid }))
    }
  })
})

describe('importAsymmetricKey', () => {
  // Every accepted way to give each algorithm its key.
  const accepted: [AsymmetricAlgorithm, string, () => Parameters<typeof importAsymmetricKey>[1]][] =
    [
      ['RS256', 'PKCS#8 PEM', () => ({ privateKey: pkcs8(pairs.rsa2048.privateKey) })],
      [
        'RS256',
        'PKCS#1 PEM',
        () => ({
          privateKey: pairs.rsa2048.privateKey.export({ format: 'pem', type: 'pkcs1' }) as string,
        }),
      ],
      ['RS256', 'JWK', () => ({ privateKey: jwk(pairs.rsa2048.privateKey) })],
      ['RS256', 'KeyObject', () => ({ privateKey: pairs.rsa2048.privateKey })],
      [
        'RS256',
        'PKCS#8 + PKCS#1 public PEM',
        () => ({
          privateKey: pkcs8(pairs.rsa2048.privateKey),
          publicKey: pairs.rsa2048.publicKey.export({ format: 'pem', type: 'pkcs1' }) as string,
        }),
      ],
      ['ES256', 'PKCS#8 PEM', () => ({ privateKey: pkcs8(pairs.p256.privateKey) })],
      [
        'ES256',
        'SEC1 PEM',
        () => ({
          privateKey: pairs.p256.privateKey.export({ format: 'pem', type: 'sec1' }) as string,
        }),
      ],
      ['ES256', 'JWK', () => ({ privateKey: jwk(pairs.p256.privateKey) })],
      [
        'ES256',
        'PKCS#8 + SPKI PEM',
        () => ({ privateKey: pkcs8(pairs.p256.privateKey), publicKey: spki(pairs.p256.publicKey) }),
      ],
      ['EdDSA', 'PKCS#8 PEM', () => ({ privateKey: pkcs8(pairs.ed25519.privateKey) })],
      ['EdDSA', 'JWK', () => ({ privateKey: jwk(pairs.ed25519.privateKey) })],
      [
        'EdDSA',
        'JWK pair',
        () => ({
          privateKey: jwk(pairs.ed25519.privateKey),
          publicKey: jwk(pairs.ed25519.publicKey),
        }),
      ],
    ]

  it.each(accepted)('%s from %s', (alg, _form, options) => {
    const key = importAsymmetricKey(alg, options())
    expect(key.alg).toBe(alg)
    expect(key.status).toBe('current')
    expect(key.signingKey?.type).toBe('private')
    expect(key.verifyingKey.type).toBe('public')
  })

  it.each([
    ['RS256', 'SPKI PEM', spki(pairs.rsa2048.publicKey)],
    [
      'RS256',
      'PKCS#1 public PEM',
      pairs.rsa2048.publicKey.export({ format: 'pem', type: 'pkcs1' }),
    ],
    ['ES256', 'SPKI PEM', spki(pairs.p256.publicKey)],
    ['EdDSA', 'JWK', jwk(pairs.ed25519.publicKey)],
  ] as const)('%s verify-only from a %s', (alg, _form, publicKey) => {
    const key = importAsymmetricKey(alg, { publicKey: publicKey as string | JsonWebKey })
    expect(key.signingKey).toBeUndefined()
    expect(key.verifyingKey.type).toBe('public')
  })

  it.each([
    [
      'RS256',
      'RSA 1024 bits',
      pkcs8(pairs.rsa1024.privateKey),
      /RS256 needs a RSA >= 2048 bits key/,
    ],
    ['ES256', 'P-384', pkcs8(pairs.p384.privateKey), /ES256 needs a EC P-256 key/],
    ['ES256', 'secp256k1', pkcs8(pairs.secp256k1.privateKey), /ES256 needs a EC P-256 key/],
    ['EdDSA', 'Ed448', pkcs8(pairs.ed448.privateKey), /EdDSA needs a Ed25519 key, got ed448/],
    ['EdDSA', 'X25519', pkcs8(pairs.x25519.privateKey), /EdDSA needs a Ed25519 key/],
    ['RS256', 'an EC key', pkcs8(pairs.p256.privateKey), /RS256 needs/],
    ['ES256', 'an RSA key', pkcs8(pairs.rsa2048.privateKey), /ES256 needs/],
    ['EdDSA', 'an EC key', pkcs8(pairs.p256.privateKey), /EdDSA needs/],
  ] as const)('%s refuses %s', (alg, _name, privateKey, message) => {
    const error = keyErrorOf(() => importAsymmetricKey(alg, { privateKey }))
    expect(error.message).toMatch(message)
    expectNoKeyMaterial(error, pemBody(privateKey))
    // As a public key alone, too.
    const publicPem = spki(createPublicKey(privateKey))
    keyErrorOf(() => importAsymmetricKey(alg, { publicKey: publicPem }))
  })

  it('refuses a P-384 JWK and an Ed448 JWK', () => {
    keyErrorOf(() => importAsymmetricKey('ES256', { privateKey: jwk(pairs.p384.privateKey) }))
    keyErrorOf(() => importAsymmetricKey('EdDSA', { privateKey: jwk(pairs.ed448.privateKey) }))
  })

  it('refuses a VERIFYING_KEY that is not the public half of SIGNING_KEY', () => {
    const other = {
      RS256: generateKeyPairSync('rsa', { modulusLength: 2048 }),
      ES256: generateKeyPairSync('ec', { namedCurve: 'P-256' }),
      EdDSA: generateKeyPairSync('ed25519'),
    }
    const mine = { RS256: pairs.rsa2048, ES256: pairs.p256, EdDSA: pairs.ed25519 }
    for (const alg of ['RS256', 'ES256', 'EdDSA'] as const) {
      const error = keyErrorOf(() =>
        importAsymmetricKey(alg, {
          privateKey: pkcs8(mine[alg].privateKey),
          publicKey: spki(other[alg].publicKey),
        }),
      )
      expect(error.message).toBe(`${alg} key: VERIFYING_KEY is not the public half of SIGNING_KEY`)
    }
  })

  it('refuses a public key or a secret given as the private key', () => {
    keyErrorOf(() => importAsymmetricKey('ES256', { privateKey: spki(pairs.p256.publicKey) }))
    keyErrorOf(() => importAsymmetricKey('ES256', { privateKey: jwk(pairs.p256.publicKey) }))
    keyErrorOf(() => importAsymmetricKey('ES256', { privateKey: pairs.p256.publicKey }))
    const secret = importHmacKey('k'.repeat(32), 'HS256').verifyingKey
    keyErrorOf(() => importAsymmetricKey('ES256', { privateKey: secret }))
    keyErrorOf(() => importAsymmetricKey('ES256', { publicKey: secret }))
  })

  it('refuses no key at all, and text that is neither PEM nor JWK', () => {
    keyErrorOf(() => importAsymmetricKey('ES256', {}))
    keyErrorOf(() => importAsymmetricKey('ES256', { privateKey: 'not a key' }))
    keyErrorOf(() =>
      importAsymmetricKey('ES256', {
        privateKey: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----',
      }),
    )
  })

  it.each([
    ['RS256', pairs.rsa2048],
    ['ES256', pairs.p256],
    ['EdDSA', pairs.ed25519],
  ] as const)('%s: kid is the RFC 7638 thumbprint, whatever the input form', async (alg, pair) => {
    const expected = await calculateJwkThumbprint(jwk(pair.publicKey) as never, 'sha256')
    expect(thumbprint(jwk(pair.publicKey))).toBe(expected)
    expect(thumbprint(jwk(pair.privateKey))).toBe(expected)
    for (const options of [
      { privateKey: pkcs8(pair.privateKey) },
      { privateKey: jwk(pair.privateKey) },
      { privateKey: pair.privateKey },
      { publicKey: spki(pair.publicKey) },
      { publicKey: jwk(pair.publicKey) },
    ]) {
      expect(importAsymmetricKey(alg, options).kid).toBe(expected)
    }
  })

  it('retired keys need verifyUntil', () => {
    const privateKey = pkcs8(pairs.p256.privateKey)
    keyErrorOf(() => importAsymmetricKey('ES256', { privateKey, status: 'retired' }))
    const retired = importAsymmetricKey('ES256', { privateKey, status: 'retired', verifyUntil: 10 })
    expect(retired).toMatchObject({ status: 'retired', verifyUntil: 10 })
  })
})

describe('generateSigningKey', () => {
  it.each([
    ['HS256', 48],
    ['HS384', 48],
    ['HS512', 64],
  ] as const)('%s: a fresh %i-byte secret', (alg, bytes) => {
    const a = generateSigningKey(alg)
    const b = generateSigningKey(alg)
    expect(a.signingKey?.export().length).toBe(bytes)
    expect(a.signingKey?.export()).not.toStrictEqual(b.signingKey?.export())
    expect(a.kid).not.toBe(b.kid)
  })

  it.each([
    ['RS256', 'rsa'],
    ['ES256', 'ec'],
    ['EdDSA', 'ed25519'],
  ] as const)('%s: a fresh %s key pair with its thumbprint as kid', async (alg, type) => {
    const key = generateSigningKey(alg, { status: 'next' })
    expect(key.status).toBe('next')
    expect(key.verifyingKey.asymmetricKeyType).toBe(type)
    expect(key.kid).toBe(await calculateJwkThumbprint(jwk(key.verifyingKey) as never))
  })
})

describe('KeyError messages never contain key material', () => {
  it('for HMAC secrets', () => {
    const short = 'hunter2-is-my-signing-secret'
    expectNoKeyMaterial(
      keyErrorOf(() => importHmacKey(short, 'HS256')),
      short,
    )
    const pem = spki(pairs.rsa2048.publicKey)
    expectNoKeyMaterial(
      keyErrorOf(() => importHmacKey(pem, 'HS256')),
      pemBody(pem),
    )
    const jwkText = JSON.stringify(jwk(pairs.p256.privateKey))
    expectNoKeyMaterial(
      keyErrorOf(() => importHmacKey(jwkText, 'HS512')),
      jwkText,
    )
  })

  it('for unreadable, mismatched or weak asymmetric keys', () => {
    const pem = pkcs8(pairs.p256.privateKey)
    const body = pemBody(pem)
    // A PEM with its base64 damaged in the middle: the parser's own error may quote it.
    const damaged = pem.replace(body.slice(40, 48), '!!!!!!!!')
    const privateJwk = jwk(pairs.p256.privateKey)
    const badJwk = { ...privateJwk, x: privateJwk.y, y: privateJwk.x }
    const rsaJwk = jwk(pairs.rsa1024.privateKey)
    const cases: [() => unknown, string[]][] = [
      [() => importAsymmetricKey('ES256', { privateKey: damaged }), [body.slice(0, 40)]],
      [() => importAsymmetricKey('ES256', { privateKey: badJwk }), [String(privateJwk.d)]],
      [
        () => importAsymmetricKey('RS256', { privateKey: rsaJwk }),
        [String(rsaJwk.d), String(rsaJwk.p)],
      ],
      [
        () =>
          importAsymmetricKey('ES256', { privateKey: pem, publicKey: spki(pairs.p384.publicKey) }),
        [body],
      ],
      [
        () =>
          importAsymmetricKey('ES256', { privateKey: pem, publicKey: 'garbage public key text' }),
        [body, 'garbage public key text'],
      ],
    ]
    for (const [fn, secrets] of cases) expectNoKeyMaterial(keyErrorOf(fn), ...secrets)
  })
})
