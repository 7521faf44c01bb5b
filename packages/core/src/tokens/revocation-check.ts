import type { VerifiedToken } from './token-types.js'

/**
 * Step 4 of the hot path: an in-memory, synchronous question asked after the signature and
 * claims checked out. Keyed by `jti` and user, never by the token string, so an ECDSA-malleated
 * copy of a revoked token (same claims, other signature bytes) stays revoked.
 */
export interface RevocationCheck {
  /** True when the token must be refused as revoked. Must not block or do I/O. */
  isRevoked(token: VerifiedToken): boolean
  /**
   * Asked only after `isRevoked(token)` answered true: whether the check refused `token`
   * because it cannot vouch for its state (fail closed: the revocation bus is down). The
   * verifier then answers `service_unavailable` (503, retry) instead of `token_revoked` (401),
   * so clients retry rather than log their user out.
   */
  failsClosed?(token: VerifiedToken): boolean
}
