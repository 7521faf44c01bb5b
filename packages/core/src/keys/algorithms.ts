/** The JWS algorithms Tessera signs and verifies with (RFC 7518, RFC 8037). `none` is not one. */
export type Algorithm = 'HS256' | 'HS384' | 'HS512' | 'RS256' | 'ES256' | 'EdDSA'

/** Every supported algorithm, in the order settings list them. */
export const ALGORITHMS: readonly Algorithm[] = Object.freeze([
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'ES256',
  'EdDSA',
])

/** HMAC algorithms, whose single secret both signs and verifies. */
export type HmacAlgorithm = 'HS256' | 'HS384' | 'HS512'

/** Public-key algorithms, whose public half may be published as JWKS. */
export type AsymmetricAlgorithm = 'RS256' | 'ES256' | 'EdDSA'

/** True for HS256/384/512. */
export function isHmacAlgorithm(alg: Algorithm): alg is HmacAlgorithm {
  return alg === 'HS256' || alg === 'HS384' || alg === 'HS512'
}

/** True when `value` names a supported algorithm (exact spelling, as RFC 7518 registers it). */
export function isAlgorithm(value: unknown): value is Algorithm {
  return typeof value === 'string' && (ALGORITHMS as readonly string[]).includes(value)
}

/** The node:crypto digest behind each HMAC algorithm, and its output size in bytes. */
export const HMAC_DIGESTS: Readonly<Record<HmacAlgorithm, { hash: string; bytes: number }>> =
  Object.freeze({
    HS256: { hash: 'sha256', bytes: 32 },
    HS384: { hash: 'sha384', bytes: 48 },
    HS512: { hash: 'sha512', bytes: 64 },
  })
