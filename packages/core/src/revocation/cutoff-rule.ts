import type { VerifiedToken } from '../tokens/token-types.js'

/**
 * Whether a user's cut-off (`tokens_valid_after`, epoch seconds) refuses `token`. `iat` has
 * whole seconds, so the cut-off's own second is ambiguous:
 * - a token without a session (`sid`) is refused within it (`iat <= notBefore`: fail closed);
 * - a token with a session is refused only for earlier seconds (`iat < floor(notBefore)`): every
 *   session alive at the cut-off is revoked with it, and those revocations refuse the tokens of
 *   that second, so a session started right after the cut-off works at once, with no wait.
 * A token without `iat` is always refused. The one rule for the revocation view and the stores.
 */
export function isCutOff(
  token: Pick<VerifiedToken, 'iat' | 'sessionId'>,
  notBefore: number,
): boolean {
  const { iat } = token
  if (iat === undefined) return true
  return token.sessionId === undefined ? iat <= notBefore : iat < Math.floor(notBefore)
}
