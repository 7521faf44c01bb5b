import type { KeyObject } from 'node:crypto'
import type { Algorithm } from './algorithms.js'

/**
 * Where a key is in its life: `next` is published but does not sign yet, `current` signs,
 * `retired` only verifies until `verifyUntil`.
 */
export type KeyStatus = 'next' | 'current' | 'retired'

/**
 * One key of the ring. It has exactly one algorithm: a token whose header names another is
 * rejected (RFC 8725 3.1), so a public key can never be used as an HMAC secret.
 */
export interface SigningKey {
  /** Key id, carried in the token header's `kid`. */
  readonly kid: string
  /** The only algorithm this key signs and verifies with. */
  readonly alg: Algorithm
  /** Where the key is in its life. */
  readonly status: KeyStatus
  /** The signing half: the HMAC secret or the private key; absent on verify-only keys. */
  readonly signingKey: KeyObject | undefined
  /** The verifying half: the HMAC secret or the public key. */
  readonly verifyingKey: KeyObject
  /** For retired keys: epoch seconds after which the key no longer verifies. */
  readonly verifyUntil?: number
}
