import type { JsonWebKey, KeyObject } from 'node:crypto'
import type { AsymmetricAlgorithm, HmacAlgorithm } from '../keys/algorithms.js'
import { importAsymmetricKey, importHmacKey } from '../keys/import-key.js'
import type { SigningKey } from '../keys/signing-key.js'

/**
 * A key a resource server is configured with directly: an HMAC secret shared with the issuer,
 * a public key (PEM, JWK or KeyObject) with its algorithm, or an already imported key. The kid
 * defaults to the one Tessera derives (a tag of the secret, or the RFC 7638 thumbprint), so
 * tokens of an issuer with the same key match without configuring it.
 */
export type StaticKey =
  | {
      readonly alg: HmacAlgorithm
      /** The issuer's `SIGNING_KEY`: at least as many bytes as the hash output. */
      readonly secret: string | Uint8Array
      readonly kid?: string
    }
  | {
      readonly alg: AsymmetricAlgorithm
      /** The issuer's `VERIFYING_KEY`: SPKI/PKCS#1 PEM, a public JWK, or a KeyObject. */
      readonly publicKey: string | JsonWebKey | KeyObject
      readonly kid?: string
    }
  | SigningKey

/** Imports static keys with the same checks as the issuer's (key type, size, kid form). */
export function importStaticKeys(keys: readonly StaticKey[]): SigningKey[] {
  return keys.map((key) => {
    if ('verifyingKey' in key) return key
    const kid = key.kid === undefined ? {} : { kid: key.kid }
    if ('secret' in key) return importHmacKey(key.secret, key.alg, kid)
    return importAsymmetricKey(key.alg, { publicKey: key.publicKey, ...kid })
  })
}
