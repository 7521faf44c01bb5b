import { MAX_SESSIONS_PER_EVENT } from '../revocation/revocation-event.js'
import type { AuditEventType } from '../stores/audit-store.js'
import { audit, type ServiceContext } from './service-context.js'

/**
 * Why sessions end: `logout` (the blacklist view), `revoked` (one session, from the sessions
 * list or an admin), `reuse_detected` (a rotated-out refresh token came back: theft, RFC 9700
 * 4.14.2), and the ends of every session of a user: `logout_all`, `password_change`,
 * `deactivated`.
 */
export type SessionEndReason =
  | 'logout'
  | 'revoked'
  | 'reuse_detected'
  | 'logout_all'
  | 'password_change'
  | 'password_reset'
  | 'deactivated'

/** Who ended them: the user, a staff member or operator, or Tessera itself (a reuse). */
export type SessionEndActor = 'user' | 'admin' | 'system'

/** Why, by whom and from where sessions end: what the audit row says. */
export interface SessionEnding {
  readonly reason: SessionEndReason
  readonly by: SessionEndActor
  /** The id of the staff user who acted, when `by` is `admin` and one is known. */
  readonly actorId?: string
  /** The client IP of the request that ended them, if any. */
  readonly ip?: string | null
}

const AUDIT_TYPES: Readonly<Record<SessionEndReason, AuditEventType>> = {
  logout: 'logout',
  revoked: 'session_revoked',
  reuse_detected: 'refresh_reuse_detected',
  logout_all: 'logout_all',
  password_change: 'logout_all',
  password_reset: 'logout_all',
  deactivated: 'logout_all',
}

/**
 * Ends one session: first every token naming it is refused, on every process (the revocation
 * store, this process's view, the bus), then the family is marked revoked in the session store,
 * so a crash in between leaves the session refused rather than half open. Returns false (and
 * audits nothing) when the session was not live: unknown, or already revoked.
 */
export async function endSession(
  context: ServiceContext,
  session: { readonly id: string; readonly userId: string },
  ending: SessionEnding,
): Promise<boolean> {
  const now = context.clock()
  await refuseSessionTokens(context, session.userId, [session.id], now)
  const ended = await context.stores.sessions.revokeSession(session.id, now, ending.reason)
  if (ended) await auditEnding(context, session.userId, [session.id], ending)
  return ended
}

/**
 * Ends every session of a user (logout everywhere, password change, deactivation): moves the
 * user's cut-off to now (every token issued before, sessions or not, is refused), revokes every
 * live family in one statement and refuses the tokens of each, and stops trusting the user's
 * devices for the second factor. Returns the cut-off.
 */
export async function endAllSessions(
  context: ServiceContext,
  userId: string,
  ending: SessionEnding,
): Promise<number> {
  const now = context.clock()
  // The cut-off first: until the sessions are refused too, it already covers earlier seconds.
  const cutoff = await context.revocation.setCutoff(userId, now)
  const ended = await context.stores.sessions.revokeUserSessions(userId, now, ending.reason)
  await refuseSessionTokens(context, userId, ended, now)
  // Devices trusted to skip the second factor are trusted no more: whoever ends every session
  // (a stolen laptop, a changed password) means those devices too.
  await context.stores.mfa.revokeUserTrustedDevices(userId, now)
  await auditEnding(context, userId, ended, ending)
  return cutoff
}

/**
 * Seconds a session revocation is kept beyond the tokens minted before it: a refresh that read
 * the session just before the revocation may sign its access token a moment after it.
 */
const IN_FLIGHT_MARGIN = 5

/** Writes the session revocations, in batches a bus event can carry. */
async function refuseSessionTokens(
  context: ServiceContext,
  userId: string,
  sessionIds: readonly string[],
  now: number,
): Promise<void> {
  // A revoked session mints nothing after now: none of its tokens outlives the longest lifetime.
  const expiresAt = Math.floor(now) + context.tokens.issuer.sessionTokenLifetime + IN_FLIGHT_MARGIN
  for (let start = 0; start < sessionIds.length; start += MAX_SESSIONS_PER_EVENT) {
    const batch = sessionIds.slice(start, start + MAX_SESSIONS_PER_EVENT)
    await context.revocation.revokeSessions({ userId, sessionIds: batch, expiresAt })
  }
}

function auditEnding(
  context: ServiceContext,
  userId: string,
  sessionIds: readonly string[],
  ending: SessionEnding,
): Promise<void> {
  return audit(context, {
    type: AUDIT_TYPES[ending.reason],
    userId,
    ip: ending.ip ?? null,
    data: {
      sessions: [...sessionIds],
      reason: ending.reason,
      by: ending.by,
      ...(ending.actorId === undefined ? {} : { actor: ending.actorId }),
    },
  })
}
