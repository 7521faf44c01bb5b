import type { AuditEvent } from '../audit-store.js'
import type {
  ConsumeResult,
  NewSession,
  RefreshTokenRecord,
  SessionRecord,
  SessionStore,
} from '../session-store.js'
import { bySessionAge, checkNewSession } from '../store-input.js'
import { appendAuditEvent } from './memory-audit-store.js'
import { constraintFailure, type MemoryState } from './memory-state.js'

/** Successor fields the caller gives; the family and user come from the consumed token. */
type Successor = Omit<RefreshTokenRecord, 'familyId' | 'userId' | 'consumedAt' | 'replacedBy'>

/**
 * Sessions and refresh tokens held in `state`. No method awaits before it has read and written
 * everything it touches, so each runs within one tick: `consumeRefreshToken` is atomic.
 */
export function createMemorySessionStore(state: MemoryState): SessionStore {
  const { sessions, refreshTokens } = state

  function isLive(session: SessionRecord, now: number): boolean {
    return session.revokedAt === null && session.expiresAt > now
  }

  return {
    async createSession({ session, token }: NewSession) {
      checkNewSession({ session, token })
      // The SQL keys' checks: nothing is stored unless all pass.
      if (!state.users.has(session.userId) || sessions.has(session.id)) throw constraintFailure()
      if (refreshTokens.has(token.jti)) throw constraintFailure()
      sessions.set(session.id, { ...session, revokedAt: null, revokeReason: null })
      refreshTokens.set(token.jti, { ...token, consumedAt: null, replacedBy: null })
    },

    async consumeRefreshToken(
      jti: string,
      now: number,
      successor: Successor,
      audit?: (session: SessionRecord) => AuditEvent,
    ) {
      const token = refreshTokens.get(jti)
      if (!token) return { outcome: 'unknown' } satisfies ConsumeResult
      const session = sessions.get(token.familyId)
      if (!session) return { outcome: 'unknown' } satisfies ConsumeResult
      const found = { token: { ...token }, session: { ...session } }
      if (session.revokedAt !== null) return { outcome: 'revoked', ...found }
      if (token.consumedAt !== null) return { outcome: 'consumed', ...found }
      if (token.expiresAt <= now) return { outcome: 'expired', ...found }
      if (refreshTokens.has(successor.jti)) throw constraintFailure()
      const consumed: RefreshTokenRecord = { ...token, consumedAt: now, replacedBy: successor.jti }
      const moved: SessionRecord = { ...session, lastUsedAt: now, expiresAt: successor.expiresAt }
      refreshTokens.set(jti, consumed)
      refreshTokens.set(successor.jti, {
        ...successor,
        familyId: token.familyId,
        userId: token.userId,
        consumedAt: null,
        replacedBy: null,
      })
      sessions.set(session.id, moved)
      if (audit !== undefined) appendAuditEvent(state, audit({ ...moved }))
      return { outcome: 'rotated', token: { ...consumed }, session: { ...moved } }
    },

    async findRefreshToken(jti: string) {
      const token = refreshTokens.get(jti)
      return token && { ...token }
    },

    async findSession(id: string) {
      const session = sessions.get(id)
      return session && { ...session }
    },

    async listSessions(userId: string, now: number) {
      return [...sessions.values()]
        .filter((session) => session.userId === userId && isLive(session, now))
        .sort(bySessionAge)
        .map((session) => ({ ...session }))
    },

    async revokeSession(id: string, now: number, reason: string) {
      const session = sessions.get(id)
      if (!session || session.revokedAt !== null) return false
      sessions.set(id, { ...session, revokedAt: now, revokeReason: reason })
      return true
    },

    async revokeUserSessions(userId: string, now: number, reason: string) {
      const revoked: string[] = []
      for (const session of [...sessions.values()]) {
        if (session.userId !== userId || !isLive(session, now)) continue
        sessions.set(session.id, { ...session, revokedAt: now, revokeReason: reason })
        revoked.push(session.id)
      }
      return revoked
    },

    async flushExpired(now: number) {
      let count = 0
      for (const token of [...refreshTokens.values()]) {
        const family = sessions.get(token.familyId)
        if (token.expiresAt < now || !family || family.expiresAt < now) {
          refreshTokens.delete(token.jti)
          count += 1
        }
      }
      for (const session of [...sessions.values()]) {
        if (session.expiresAt < now) sessions.delete(session.id)
      }
      return count
    },
  }
}
