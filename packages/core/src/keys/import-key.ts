import { isUtf8 } from 'node:buffer'
import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  createSecretKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
} from 'node:crypto'
import { KeyError } from '../errors/config-errors.js'
import {
  type Algorithm,
  type AsymmetricAlgorithm,
  HMAC_DIGESTS,
  type HmacAlgorithm,
  isHmacAlgorithm,
} from './algorithms.js'
import type { KeyStatus, SigningKey } from './signing-key.js'

/** Common options of the key constructors. */
export interface KeyOptions {
  /** Key id; derived from the key material when omitted (RFC 7638 thumbprint for public keys). */
  kid?: string
  /** Life-cycle state; default `current`. */
  status?: KeyStatus
  /** For retired keys: epoch seconds after which the key stops verifying. */
  verifyUntil?: number
}

/** Options of {@link importHmacKey}. */
export interface HmacKeyOptions extends KeyOptions {
  /**
   * Accept a secret shorter than the hash output (RFC 7518 3.2 forbids it). Only for local
   * development and tests; never set it in production.
   */
  allowWeakKey?: boolean
}

const KID_PATTERN = /^[A-Za-z0-9._~-]{1,128}$/

/**
 * Imports an HMAC secret for HS256/384/512. Refuses an empty secret, one shorter than the hash
 * output (32/48/64 bytes) unless `allowWeakKey`, and anything that looks like a PEM or JWK: a
 * public key used as an HMAC secret is the classic key-confusion attack.
 */
export function importHmacKey(
  secret: string | Uint8Array,
  alg: HmacAlgorithm,
  options: HmacKeyOptions = {},
): SigningKey {
  if (!isHmacAlgorithm(alg))
    throw new KeyError(`importHmacKey: ${String(alg)} is not HS256/384/512`)
  const bytes = typeof secret === 'string' ? Buffer.from(secret, 'utf8') : Buffer.from(secret)
  const text = bytes.toString('latin1')
  // Blank bytes are as empty as a blank string.
  if ((typeof secret === 'string' ? secret : text).trim() === '') {
    throw new KeyError('SIGNING_KEY is empty: an HMAC key must be a random secret')
  }
  // A PEM or JWK is text. Random binary secrets start with '{' one time in 256 (and are then not
  // valid UTF-8): sniffing them made generateSigningKey fail at random.
  const start = isUtf8(bytes) ? text.trimStart() : ''
  if (start.startsWith('-----BEGIN') || start.startsWith('{')) {
    throw new KeyError(
      `SIGNING_KEY for ${alg} looks like a PEM or JWK key; an HMAC key must be a secret`,
    )
  }
  const minimum = HMAC_DIGESTS[alg].bytes
  if (bytes.length < minimum && options.allowWeakKey !== true) {
    throw new KeyError(
      `SIGNING_KEY for ${alg} must be at least ${minimum} bytes (it has ${bytes.length}); ` +
        "generate one with: node -e \"console.log(require('crypto').randomBytes(48).toString('base64url'))\"",
    )
  }
  const key = createSecretKey(bytes)
  const kid = options.kid ?? deriveHmacKid(bytes)
  return buildKey(kid, alg, key, key, options)
}

/** Options of {@link importAsymmetricKey}. */
export interface AsymmetricKeyOptions extends KeyOptions {
  /** The private key: PEM (PKCS#8, PKCS#1 or SEC1) or a private JWK. Omit for verify-only keys. */
  privateKey?: string | JsonWebKey | KeyObject
  /** The public key: PEM (SPKI or PKCS#1) or a public JWK; derived from the private key if omitted. */
  publicKey?: string | JsonWebKey | KeyObject
}

/**
 * Imports an RS256, ES256 or EdDSA key pair (or a public key alone, for verify-only use). The key
 * type must match the algorithm: RSA of at least 2048 bits, EC P-256, or Ed25519.
 */
export function importAsymmetricKey(
  alg: AsymmetricAlgorithm,
  options: AsymmetricKeyOptions,
): SigningKey {
  const privateKey =
    options.privateKey === undefined ? undefined : toKeyObject(options.privateKey, 'private', alg)
  const publicKey =
    options.publicKey !== undefined
      ? toKeyObject(options.publicKey, 'public', alg)
      : privateKey !== undefined
        ? createPublicKey(privateKey)
        : undefined
  if (publicKey === undefined)
    throw new KeyError(`${alg} key: give a private key, a public key, or both`)
  assertKeyFitsAlgorithm(publicKey, alg)
  if (privateKey !== undefined) {
    assertKeyFitsAlgorithm(privateKey, alg)
    const derived = createPublicKey(privateKey).export({ format: 'jwk' })
    const given = publicKey.export({ format: 'jwk' })
    if (thumbprint(derived) !== thumbprint(given)) {
      throw new KeyError(`${alg} key: VERIFYING_KEY is not the public half of SIGNING_KEY`)
    }
  }
  const kid = options.kid ?? thumbprint(publicKey.export({ format: 'jwk' }))
  return buildKey(kid, alg, privateKey, publicKey, options)
}

/** Generates a fresh key for `alg`: 48 random bytes for HMAC, a new key pair otherwise. */
export function generateSigningKey(alg: Algorithm, options: KeyOptions = {}): SigningKey {
  if (isHmacAlgorithm(alg)) {
    // At least the hash output (RFC 7518 3.2), and never under 48 bytes.
    return importHmacKey(randomBytes(Math.max(48, HMAC_DIGESTS[alg].bytes)), alg, options)
  }
  const pair =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : alg === 'ES256'
        ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
        : generateKeyPairSync('ed25519')
  return importAsymmetricKey(alg, { ...options, privateKey: pair.privateKey })
}

function buildKey(
  kid: string,
  alg: Algorithm,
  signingKey: KeyObject | undefined,
  verifyingKey: KeyObject,
  options: KeyOptions,
): SigningKey {
  if (!KID_PATTERN.test(kid)) {
    throw new KeyError('kid must be 1-128 characters of [A-Za-z0-9._~-]')
  }
  const status = options.status ?? 'current'
  if (status === 'retired' && options.verifyUntil === undefined) {
    throw new KeyError(`retired key ${kid} needs verifyUntil (epoch seconds)`)
  }
  return Object.freeze({
    kid,
    alg,
    status,
    signingKey,
    verifyingKey,
    ...(options.verifyUntil === undefined ? {} : { verifyUntil: options.verifyUntil }),
  })
}

function toKeyObject(
  input: string | JsonWebKey | KeyObject,
  kind: 'private' | 'public',
  alg: Algorithm,
): KeyObject {
  try {
    if (typeof input === 'object' && 'type' in input && typeof input.export === 'function') {
      const key = input as KeyObject
      if (key.type === 'secret') throw new KeyError(`${alg} key: a secret is not a ${kind} key`)
      // A public KeyObject would pass every check here and only fail when signing.
      if (kind === 'private' && key.type !== 'private')
        throw new KeyError(`${alg} key: a public key is not a private key`)
      return kind === 'public' && key.type === 'private' ? createPublicKey(key) : key
    }
    if (typeof input === 'string') {
      const pem = input.trim()
      if (!pem.startsWith('-----BEGIN')) throw new KeyError(`${alg} ${kind} key must be PEM or JWK`)
      return kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem)
    }
    const jwk = input as JsonWebKey
    return kind === 'private'
      ? createPrivateKey({ key: jwk, format: 'jwk' })
      : createPublicKey({ key: jwk, format: 'jwk' })
  } catch (error) {
    if (error instanceof KeyError) throw error
    // The cause may quote key material: keep only its class, never its text.
    throw new KeyError(`${alg} ${kind} key could not be read (${(error as Error).name})`)
  }
}

function assertKeyFitsAlgorithm(key: KeyObject, alg: Algorithm): void {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails
  const fits =
    alg === 'RS256'
      ? type === 'rsa' && (details?.modulusLength ?? 0) >= 2048
      : alg === 'ES256'
        ? type === 'ec' && details?.namedCurve === 'prime256v1'
        : alg === 'EdDSA'
          ? type === 'ed25519'
          : false
  if (!fits) {
    const expected = { RS256: 'RSA >= 2048 bits', ES256: 'EC P-256', EdDSA: 'Ed25519' }
    throw new KeyError(
      `${alg} needs a ${expected[alg as AsymmetricAlgorithm] ?? 'matching'} key, got ${type ?? 'a secret'}`,
    )
  }
}

/** RFC 7638 JWK thumbprint (SHA-256, base64url) over the required members in lexicographic order. */
export function thumbprint(jwk: JsonWebKey): string {
  const members =
    jwk.kty === 'RSA'
      ? { e: jwk.e, kty: jwk.kty, n: jwk.n }
      : jwk.kty === 'EC'
        ? { crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }
        : { crv: jwk.crv, kty: jwk.kty, x: jwk.x }
  return createHash('sha256').update(JSON.stringify(members)).digest('base64url')
}

function deriveHmacKid(secret: Buffer): string {
  // A one-way tag of the secret: stable across restarts, reveals nothing a signed token doesn't.
  return `hs-${createHmac('sha256', secret).update('tessera key id v1').digest('base64url').slice(0, 16)}`
}
