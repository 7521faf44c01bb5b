import { createPublicKey, type JsonWebKey } from 'node:crypto'
import { KeyError } from '../errors/config-errors.js'
import { hasDuplicateMembers } from '../jws/duplicate-members.js'
import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import { importAsymmetricKey } from '../keys/import-key.js'
import type { SigningKey } from '../keys/signing-key.js'
import { JwksError } from './jwks-error.js'

/** Default of {@link ImportJwksOptions.maxBytes}: 64 KiB, some 60 RSA-4096 keys. */
export const DEFAULT_JWKS_MAX_BYTES = 64 * 1024

/** Default of {@link ImportJwksOptions.maxKeys}. */
export const DEFAULT_JWKS_MAX_KEYS = 32

/** Options of {@link importJwks} and {@link parseJwks}. */
export interface ImportJwksOptions {
  /** Most bytes a document may have (UTF-8), checked before parsing. Default 64 KiB. */
  readonly maxBytes?: number
  /** Most keys a document may hold. Default 32. */
  readonly maxKeys?: number
  /**
   * The algorithms kept. A valid key of another algorithm is checked like the others, then
   * left out (so an issuer may publish more kinds of key than this verifier accepts). Default
   * RS256, ES256 and EdDSA.
   */
  readonly algorithms?: readonly AsymmetricAlgorithm[]
}

// RFC 7518 6.2.2, 6.3.2 and 6.4 (`k`), RFC 8037 2: members only a private or secret key has.
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const

const ALL_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

/**
 * Parses a JWKS document's text and imports it with {@link importJwks}. The size is checked
 * before parsing; a document repeating a member name (`JSON.parse` keeps the last one) is
 * refused.
 */
export function parseJwks(text: string, options: ImportJwksOptions = {}): SigningKey[] {
  const maxBytes = options.maxBytes ?? DEFAULT_JWKS_MAX_BYTES
  // UTF-8 is at most 3 bytes per UTF-16 unit: only count the bytes when the length is close.
  if (text.length > maxBytes || Buffer.byteLength(text, 'utf8') > maxBytes) {
    throw new JwksError('document_too_large', `JWKS document is larger than ${maxBytes} bytes`)
  }
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    throw new JwksError('document_invalid', 'JWKS document is not JSON')
  }
  if (hasDuplicateMembers(text, document)) {
    throw new JwksError('document_invalid', 'JWKS document repeats a member name')
  }
  return importJwks(document, options)
}

/**
 * Turns a JWKS document (RFC 7517 5) into verify-only keys: RSA of at least 2048 bits (RS256),
 * EC P-256 (ES256) or Ed25519 (EdDSA) public keys, each with a unique `kid`; `alg`, if present,
 * must be the key type's algorithm and `use`, if present, `sig`.
 *
 * All or nothing: one bad key refuses the whole document (a {@link JwksError}). The document is
 * one publication of the issuer; a key carrying private members (`d`, `p`, `q`, `dp`, `dq`,
 * `qi`, `oth`) or a symmetric `oct` secret (`k`) means a leak or a misconfiguration that must be
 * loud, and skipping keys could silently drop the one that signs. A {@link RemoteJwks} that gets
 * a refused document keeps serving its last good keys.
 *
 * @example
 * const ring = KeyRing.forVerification(importJwks(await response.json()))
 */
export function importJwks(document: unknown, options: ImportJwksOptions = {}): SigningKey[] {
  if (!isObject(document) || !Array.isArray(document.keys)) {
    throw new JwksError('document_invalid', 'JWKS document must be an object with a keys array')
  }
  const maxKeys = options.maxKeys ?? DEFAULT_JWKS_MAX_KEYS
  const entries: unknown[] = document.keys
  if (entries.length > maxKeys) {
    throw new JwksError('too_many_keys', `JWKS document has more than ${maxKeys} keys`)
  }
  const algorithms = options.algorithms ?? ALL_ALGORITHMS
  const keys: SigningKey[] = []
  const kids = new Set<string>()
  entries.forEach((entry, index) => {
    const key = importJwk(entry, index)
    if (kids.has(key.kid)) {
      throw new JwksError('duplicate_kid', `JWKS key ${index}: kid ${key.kid} appears twice`)
    }
    kids.add(key.kid)
    if (algorithms.includes(key.alg as AsymmetricAlgorithm)) keys.push(key)
  })
  return keys
}

function importJwk(entry: unknown, index: number): SigningKey {
  const refuse = (why: string): never => {
    throw new JwksError('key_invalid', `JWKS key ${index}: ${why}`)
  }
  if (!isObject(entry)) return refuse('not an object')
  const { kid, kty, alg, use } = entry
  if (typeof kid !== 'string' || kid === '') return refuse('kid is required')
  const named = `${index} (kid ${JSON.stringify(kid.slice(0, 128))})`
  const refuseKey = (why: string): never => {
    throw new JwksError('key_invalid', `JWKS key ${named}: ${why}`)
  }
  for (const member of PRIVATE_MEMBERS) {
    if (member in entry) refuseKey(`has the private member "${member}": publish public keys only`)
  }
  if (kty === 'oct') refuseKey('a symmetric (oct) key never verifies from a JWKS')
  const expected = algorithmOf(entry)
  if (expected === undefined) return refuseKey('not an RSA, EC P-256 or Ed25519 public key')
  if (alg !== undefined && alg !== expected) refuseKey(`alg ${String(alg)} does not fit ${kty}`)
  if (use !== undefined && use !== 'sig') refuseKey('use must be sig')
  const ops = entry.key_ops
  if (ops !== undefined && (!Array.isArray(ops) || ops.some((op) => op !== 'verify'))) {
    refuseKey('key_ops may only be ["verify"]')
  }
  // Only the members that define the public key reach node:crypto.
  const jwk: JsonWebKey =
    kty === 'RSA'
      ? { kty, n: entry.n as string, e: entry.e as string }
      : kty === 'EC'
        ? { kty, crv: 'P-256', x: entry.x as string, y: entry.y as string }
        : { kty: 'OKP', crv: 'Ed25519', x: entry.x as string }
  for (const [member, value] of Object.entries(jwk)) {
    if (typeof value !== 'string' || value === '') refuseKey(`${member} must be a string`)
  }
  try {
    const publicKey = createPublicKey({ key: jwk, format: 'jwk' })
    return importAsymmetricKey(expected, { publicKey, kid })
  } catch (error) {
    // The cause may quote key material: keep only its class (KeyError messages are ours).
    const why = error instanceof KeyError ? error.message : `unreadable (${(error as Error).name})`
    return refuseKey(why)
  }
}

/** The only algorithm a public JWK may verify with, from its `kty` and `crv`. */
function algorithmOf(jwk: Record<string, unknown>): AsymmetricAlgorithm | undefined {
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return 'ES256'
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  return undefined
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
