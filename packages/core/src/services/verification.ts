import { TokenRevokedError, TokenWrongTypeError } from '../errors/token-errors.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import { isSpent } from './rotation.js'
import type { ServiceContext } from './service-context.js'
import { checkSessionLive, isCutOffInStore } from './session-checks.js'

const VERIFIABLE_TYPES: ReadonlySet<string> = new Set(['access', 'refresh', 'sliding'])

/**
 * `POST /api/token/verify/`: signature and claims of a token of any type, then revocation, by
 * the store as well as the revocation view: a refresh token must belong to a live session and
 * not be spent by a rotation; an access or sliding token's session must not have ended; a token
 * without a session must not predate its user's cut-off (logout everywhere, password change).
 * Throws the typed token error.
 */
export async function verifyToken(context: ServiceContext, token: string): Promise<VerifiedToken> {
  const result = context.tokens.verifier.verify(token)
  if (!result.ok) throw result.error
  const verified = result.token
  // simplejwt's verify takes any of its own types; an `mfa` token is no credential anywhere.
  if (!VERIFIABLE_TYPES.has(verified.type)) throw new TokenWrongTypeError()
  if (verified.type === 'refresh') {
    const record = await context.stores.sessions.findRefreshToken(verified.jti)
    const session = record && (await context.stores.sessions.findSession(record.familyId))
    if (record === undefined || session === undefined || session.revokedAt !== null) {
      throw new TokenRevokedError()
    }
    // simplejwt blacklists a refresh token once rotated: verify says so too.
    if (isSpent(context, record, context.clock())) throw new TokenRevokedError()
    // The family's revocation covers cut-offs for a token of a session; not for an older one.
    if (verified.sessionId === undefined && (await isCutOffInStore(context, verified))) {
      throw new TokenRevokedError()
    }
  } else if (!(await checkSessionLive(context, verified))) {
    throw new TokenRevokedError()
  }
  return verified
}
