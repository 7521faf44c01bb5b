import { createHmac, type KeyObject, sign, timingSafeEqual, verify } from 'node:crypto'
import { HMAC_DIGESTS, isHmacAlgorithm } from '../keys/algorithms.js'
import type { SigningKey } from '../keys/signing-key.js'

/** Signs a JWS signing input (`header.payload`) and returns the base64url signature. */
export type SignFunction = (signingInput: string) => string

/** Checks a decoded signature over a JWS signing input. */
export type VerifySignatureFunction = (signingInput: string, signature: Buffer) => boolean

// The order n of the P-256 group: ECDSA r and s must lie in [1, n-1] (CVE-2022-21449).
const P256_ORDER = Buffer.from(
  'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551',
  'hex',
)
const ZERO_32 = Buffer.alloc(32)

/** Builds the signing function of a key once, so nothing is looked up per token. */
export function createSignFunction(key: SigningKey): SignFunction {
  const secret = key.signingKey
  if (secret === undefined) throw new TypeError(`key ${key.kid} is verify-only`)
  const alg = key.alg
  if (isHmacAlgorithm(alg)) {
    const hash = HMAC_DIGESTS[alg].hash
    return (input) => createHmac(hash, secret).update(input).digest('base64url')
  }
  if (alg === 'ES256') {
    // JWS wants the fixed 64-byte R||S form (RFC 7518 3.4), not DER.
    const options = { key: secret, dsaEncoding: 'ieee-p1363' as const }
    return (input) => sign('sha256', Buffer.from(input), options).toString('base64url')
  }
  const digest = alg === 'EdDSA' ? null : 'sha256'
  return (input) => sign(digest, Buffer.from(input), secret).toString('base64url')
}

/** Builds the signature check of a key once, with the checks its algorithm needs. */
export function createVerifySignatureFunction(key: SigningKey): VerifySignatureFunction {
  const publicKey: KeyObject = key.verifyingKey
  const alg = key.alg
  if (isHmacAlgorithm(alg)) {
    const { hash, bytes } = HMAC_DIGESTS[alg]
    return (input, signature) =>
      signature.length === bytes &&
      timingSafeEqual(createHmac(hash, publicKey).update(input).digest(), signature)
  }
  if (alg === 'ES256') {
    const options = { key: publicKey, dsaEncoding: 'ieee-p1363' as const }
    return (input, signature) =>
      signature.length === 64 &&
      isEcdsaScalarInRange(signature.subarray(0, 32)) &&
      isEcdsaScalarInRange(signature.subarray(32)) &&
      verify('sha256', Buffer.from(input), options, signature)
  }
  if (alg === 'EdDSA') {
    return (input, signature) =>
      signature.length === 64 && verify(null, Buffer.from(input), publicKey, signature)
  }
  const modulusBytes = Math.ceil((publicKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8)
  return (input, signature) =>
    signature.length === modulusBytes && verify('sha256', Buffer.from(input), publicKey, signature)
}

function isEcdsaScalarInRange(scalar: Buffer): boolean {
  return !scalar.equals(ZERO_32) && Buffer.compare(scalar, P256_ORDER) < 0
}
