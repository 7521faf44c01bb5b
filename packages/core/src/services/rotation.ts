import { RefreshUserInvalidError } from '../errors/request-errors.js'
import { TokenExpiredError, TokenInvalidError, TokenRevokedError } from '../errors/token-errors.js'
import type { RefreshTokenRecord } from '../stores/session-store.js'
import type { IssuedToken } from '../tokens/token-issuer.js'
import { newJti } from '../tokens/token-issuer.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import type { RequestContext, ServiceContext } from './service-context.js'
import { isCutOffInStore } from './session-checks.js'
import { endSession } from './session-endings.js'

/** The body of a refresh: a new access token, and the successor refresh token when rotating. */
export interface RefreshResult {
  readonly access: IssuedToken
  readonly refresh?: IssuedToken
  readonly sessionId: string
}

/**
 * `POST /api/token/refresh/`. Verifies the refresh token, checks its user, then (with
 * `ROTATE_REFRESH_TOKENS`) consumes its jti with one atomic conditional write:
 * - the one caller that wins gets a successor in the same family;
 * - a caller presenting the consumed token again within `reuseInterval` seconds (or at any time
 *   when `BLACKLIST_AFTER_ROTATION` is off) gets that same successor: never a second branch;
 * - any later reuse is theft (RFC 9700 4.14.2): the whole family is revoked.
 */
export async function rotateRefresh(
  context: ServiceContext,
  token: string,
  request: RequestContext,
): Promise<RefreshResult> {
  const verified = await verifyRefreshToken(context, token)
  const { sessions } = context.stores
  if (!context.settings.ROTATE_REFRESH_TOKENS) {
    const record = await sessions.findRefreshToken(verified.jti)
    const session = record && (await sessions.findSession(record.familyId))
    if (session === undefined || session.revokedAt !== null) throw new TokenRevokedError()
    return {
      access: context.tokens.issuer.accessTokenFromRefresh(verified.claims),
      sessionId: session.id,
    }
  }
  const now = context.clock()
  const issuedAt = Math.floor(now)
  const successor = {
    jti: newJti(),
    issuedAt,
    expiresAt: issuedAt + context.tokens.issuer.refreshLifetime,
  }
  // The audit row rides in the rotation's transaction: one commit per refresh (measured: the
  // separate insert was ~13% of a refresh on SQLite).
  const result = await sessions.consumeRefreshToken(verified.jti, now, successor, (session) => ({
    type: 'token_refreshed',
    at: now,
    userId: session.userId,
    ip: request.ip,
    data: { session: session.id },
  }))
  switch (result.outcome) {
    case 'rotated':
      return issueFrom(context, verified, successor, result.session.id)
    case 'consumed': {
      const graceful = !isSpent(context, { consumedAt: result.token.consumedAt ?? now }, now)
      const next =
        result.token.replacedBy === null
          ? undefined
          : await sessions.findRefreshToken(result.token.replacedBy)
      if (graceful && result.session.revokedAt === null && next !== undefined) {
        return issueFrom(context, verified, next, result.session.id)
      }
      await endSession(context, result.session, {
        reason: 'reuse_detected',
        by: 'system',
        ip: request.ip,
      })
      throw new TokenRevokedError('refresh token reused: session revoked')
    }
    case 'expired':
      throw new TokenExpiredError()
    case 'revoked':
    case 'unknown':
      throw new TokenRevokedError()
  }
}

/**
 * Verifies a refresh token for refresh and logout: signature and claims (the revocation view
 * included), a user id, the user still there and active. A token of a session needs nothing
 * more here: its family's state in the store, which the caller reads next, is authoritative
 * (a logout everywhere revokes every family). One without a session (minted before sessions
 * were named, or by Django) is checked against its user's cut-off in the store.
 */
export async function verifyRefreshToken(
  context: ServiceContext,
  token: string,
): Promise<VerifiedToken> {
  const result = context.tokens.verifier.verify(token, 'refresh')
  if (!result.ok) throw result.error
  const verified = result.token
  if (verified.userId === undefined)
    throw new TokenInvalidError('token_claim_invalid', 'no user id')
  const user = await context.stores.users.findUserById(verified.userId)
  if (user === undefined || (context.settings.CHECK_USER_IS_ACTIVE && !user.isActive)) {
    throw new RefreshUserInvalidError()
  }
  if (verified.sessionId === undefined && (await isCutOffInStore(context, verified))) {
    throw new TokenRevokedError()
  }
  return verified
}

/**
 * Whether a refresh token was consumed by a rotation and may no longer be presented: always with
 * `BLACKLIST_AFTER_ROTATION` (simplejwt blacklists it), except within the `reuseInterval` grace.
 */
export function isSpent(
  context: ServiceContext,
  token: Pick<RefreshTokenRecord, 'consumedAt'>,
  now: number,
): boolean {
  if (token.consumedAt === null || !context.settings.BLACKLIST_AFTER_ROTATION) return false
  const interval = context.reuseInterval
  return !(interval > 0 && now - token.consumedAt <= interval)
}

function issueFrom(
  context: ServiceContext,
  verified: VerifiedToken,
  successor: Pick<RefreshTokenRecord, 'jti' | 'issuedAt' | 'expiresAt'>,
  sessionId: string,
): RefreshResult {
  const { issuer } = context.tokens
  // A token from before sessions were named, or minted by Django and imported, names none: its
  // successors name the session they rotate in, so ending the session ends them too.
  const claims =
    verified.sessionId === undefined ? { ...verified.claims, sid: sessionId } : verified.claims
  const refresh = issuer.issueRefreshSuccessor(claims, successor)
  return { refresh, access: issuer.accessTokenFromRefresh(refresh.claims), sessionId }
}
