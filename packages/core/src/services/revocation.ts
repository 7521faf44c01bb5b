import { TokenRevokedError } from '../errors/token-errors.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import { isSpent, verifyRefreshToken } from './rotation.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'

/**
 * `POST /api/token/blacklist/` (logout): revokes the refresh token's whole session family and,
 * when the request also carried a valid access token of the same user, that access token too.
 * Returns the session id. A token already revoked or spent by a rotation answers `token_revoked`,
 * as simplejwt does.
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
  if (isSpent(context, record, context.clock())) {
    // A rotated-out token presented again is reuse (RFC 9700 4.14.2), here as at refresh: the
    // family ends, and the answer is simplejwt's "Token is blacklisted".
    await context.stores.sessions.revokeSession(record.familyId, context.clock(), 'reuse_detected')
    throw new TokenRevokedError('refresh token reused: session revoked')
  }
  const revoked = await context.stores.sessions.revokeSession(
    record.familyId,
    context.clock(),
    'logout',
  )
  if (!revoked) throw new TokenRevokedError()
  if (accessToken !== undefined && accessToken.userId === record.userId) {
    const entry = { jti: accessToken.jti, userId: record.userId, expiresAt: accessToken.exp }
    if (context.revocation === undefined) {
      await context.stores.revocations.revokeAccessToken(entry, context.clock())
    } else {
      await context.revocation.revokeAccessToken(entry)
    }
  }
  await audit(context, {
    type: 'logout',
    userId: record.userId,
    ip: request.ip,
    data: { session: record.familyId },
  })
  return record.familyId
}

/** Revokes one session family (a device), e.g. from the sessions list or by an admin. */
export async function revokeFamily(
  context: ServiceContext,
  sessionId: string,
  reason: string,
): Promise<boolean> {
  return context.stores.sessions.revokeSession(sessionId, context.clock(), reason)
}

/**
 * Logout everywhere (also password change, deactivation, admin revoke): revokes every session of
 * the user and moves their cut-off to now, so every token issued until now, access tokens
 * included, is refused. Returns the cut-off (epoch seconds).
 */
export async function revokeAllForUser(
  context: ServiceContext,
  userId: string,
  reason: string,
): Promise<number> {
  const now = context.clock()
  await context.stores.sessions.revokeUserSessions(userId, now, reason)
  const cutoff =
    context.revocation === undefined
      ? await context.stores.revocations.setCutoff(userId, now, now)
      : await context.revocation.setCutoff(userId, now)
  await audit(context, { type: 'logout_all', userId, ip: null, data: { reason } })
  return cutoff
}

/** Deletes expired sessions, refresh tokens and revocations; returns how many rows went. */
export async function flushExpired(context: ServiceContext): Promise<number> {
  const now = context.clock()
  const tokens = await context.stores.sessions.flushExpired(now)
  const revocations = await context.stores.revocations.flushExpired(now)
  return tokens + revocations
}

export type { RequestContext }
