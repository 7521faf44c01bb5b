import { TokenRevokedError } from '../errors/token-errors.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import { isSpent, verifyRefreshToken } from './rotation.js'
import type { RequestContext, ServiceContext } from './service-context.js'
import { endAllSessions, endSession, type SessionEnding } from './session-endings.js'

/**
 * `POST /api/token/blacklist/` (logout): ends the refresh token's session, which refuses every
 * token naming it, on every process. An access token of the same user sent along that does not
 * name that session (an older token) is revoked by its jti too. Returns the session id. A token
 * already revoked or spent by a rotation answers `token_revoked`, as simplejwt does.
 */
export async function logout(
  context: ServiceContext,
  token: string,
  request: RequestContext,
  accessToken?: VerifiedToken,
): Promise<string> {
  const verified = await verifyRefreshToken(context, token)
  const record = await context.stores.sessions.findRefreshToken(verified.jti)
  if (record === undefined) throw new TokenRevokedError()
  const session = { id: record.familyId, userId: record.userId }
  if (isSpent(context, record, context.clock())) {
    // A rotated-out token presented again is reuse (RFC 9700 4.14.2), here as at refresh: the
    // family ends, and the answer is simplejwt's "Token is blacklisted".
    await endSession(context, session, { reason: 'reuse_detected', by: 'system', ip: request.ip })
    throw new TokenRevokedError('refresh token reused: session revoked')
  }
  const ended = await endSession(context, session, {
    reason: 'logout',
    by: 'user',
    ip: request.ip,
  })
  if (!ended) throw new TokenRevokedError()
  if (
    accessToken !== undefined &&
    accessToken.userId === record.userId &&
    accessToken.sessionId !== record.familyId
  ) {
    await context.revocation.revokeAccessToken({
      jti: accessToken.jti,
      userId: record.userId,
      expiresAt: accessToken.exp,
    })
  }
  return record.familyId
}

/**
 * Ends one session (a device), from the sessions list or by an admin; false when it was not
 * live. The caller checks that the actor may end it.
 */
export function revokeSession(
  context: ServiceContext,
  session: { readonly id: string; readonly userId: string },
  ending: SessionEnding,
): Promise<boolean> {
  return endSession(context, session, ending)
}

/**
 * Logout everywhere (also password change, deactivation, admin revoke): ends every session of
 * the user and moves their cut-off to now, so every token issued until now is refused. Returns
 * the cut-off (epoch seconds).
 */
export function revokeAllForUser(
  context: ServiceContext,
  userId: string,
  ending: SessionEnding,
): Promise<number> {
  return endAllSessions(context, userId, ending)
}

/** Deletes expired sessions, refresh tokens and revocations; returns how many rows went. */
export async function flushExpired(context: ServiceContext): Promise<number> {
  const now = context.clock()
  const tokens = await context.stores.sessions.flushExpired(now)
  // Verifiers accept tokens LEEWAY seconds past exp: their revocations stay as long.
  const revocations = await context.stores.revocations.flushExpired(now - context.settings.LEEWAY)
  // Spent mfa tokens likewise; trusted devices past their expiry go too.
  const mfa = await context.stores.mfa.flushExpired(now - context.settings.LEEWAY)
  return tokens + revocations + mfa
}

export type { RequestContext }
