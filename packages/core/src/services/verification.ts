import { TokenRevokedError } from '../errors/token-errors.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import { isSpent } from './rotation.js'
import type { ServiceContext } from './service-context.js'

/**
 * `POST /api/token/verify/`: signature and claims of a token of any type, then revocation: a
 * refresh token must belong to a live session and not be spent by a rotation, and no token may
 * predate its user's cut-off
 * (logout everywhere, password change). Throws the typed token error.
 */
export async function verifyToken(context: ServiceContext, token: string): Promise<VerifiedToken> {
  const result = context.tokens.verifier.verify(token)
  if (!result.ok) throw result.error
  const verified = result.token
  if (verified.type === 'refresh') {
    const record = await context.stores.sessions.findRefreshToken(verified.jti)
    const session = record && (await context.stores.sessions.findSession(record.familyId))
    if (record === undefined || session === undefined || session.revokedAt !== null) {
      throw new TokenRevokedError()
    }
    // simplejwt blacklists a refresh token once rotated: verify says so too.
    if (isSpent(context, record, context.clock())) throw new TokenRevokedError()
  }
  if (verified.userId !== undefined) {
    const cutoff = await context.stores.revocations.getCutoff(verified.userId)
    if (cutoff !== undefined && (verified.iat === undefined || verified.iat <= cutoff)) {
      throw new TokenRevokedError()
    }
  }
  return verified
}
