import type { VerifiedToken } from '../tokens/token-types.js'

/**
 * Whether a user's cut-off (`tokens_valid_after`, epoch seconds) refuses `token`. `iat` has
 * whole seconds, so the cut-off's own second is ambiguous:
 * - a token with a session (`sid`) is refused only for earlier seconds (`iat < floor(notBefore)`):
 *   every session alive at the cut-off is revoked with it, and those revocations refuse the
 *   tokens of that second, so a session started right after the cut-off works at once;
 * - a token without a session that carries `auth_time` (the `mfa` token: its password step, to
 *   the millisecond) is compared exactly (`auth_time <= notBefore`), so the second step of a
 *   login right after a password reset works at once;
 * - any other token without a session is refused within it (`iat <= notBefore`: fail closed).
 * A token without `iat` is always refused. The one rule for the revocation view and the stores.
 */
export function isCutOff(
  token: Pick<VerifiedToken, 'iat' | 'sessionId' | 'claims'>,
  notBefore: number,
): boolean {
  const { iat } = token
  if (iat === undefined) return true
  if (token.sessionId !== undefined) return iat < Math.floor(notBefore)
  // Signed by the ring like every claim; never past `iat`'s second in a token Tessera issued.
  const authTime = token.claims.auth_time
  return typeof authTime === 'number' && Math.floor(authTime) <= iat
    ? authTime <= notBefore
    : iat <= notBefore
}
