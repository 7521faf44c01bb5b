import type { VerifiedToken } from './token-types.js'

/**
 * Step 4 of the hot path: an in-memory, synchronous question asked after the signature and
 * claims checked out. Keyed by `jti` and user, never by the token string, so an ECDSA-malleated
 * copy of a revoked token (same claims, other signature bytes) stays revoked.
 */
export interface RevocationCheck {
  /** True when the token must be refused as revoked. Must not block or do I/O. */
  isRevoked(token: VerifiedToken): boolean
}
