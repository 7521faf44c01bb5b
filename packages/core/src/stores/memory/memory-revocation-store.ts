import type {
  LiveRevocations,
  RevocationStore,
  RevokedAccessToken,
  RevokedSession,
  RevokedSessions,
  UserTokenCutoff,
} from '../revocation-store.js'
import type {
  MemoryCutoff,
  MemoryRevokedSession,
  MemoryRevokedToken,
  MemoryState,
} from './memory-state.js'

function toEntry({ jti, userId, expiresAt }: MemoryRevokedToken): RevokedAccessToken {
  return { jti, userId, expiresAt }
}

function toSession({ sessionId, userId, expiresAt }: MemoryRevokedSession): RevokedSession {
  return { sessionId, userId, expiresAt }
}

function toCutoff([userId, cutoff]: [string, MemoryCutoff]): UserTokenCutoff {
  return { userId, notBefore: cutoff.notBefore }
}

/** Written at some time, expiring at another: what the load filters read. */
interface Timed {
  readonly expiresAt: number
  readonly createdAt: number
}

/** Revocations of access tokens and sessions, and per-user cut-offs, held in `state`. */
export function createMemoryRevocationStore(state: MemoryState): RevocationStore {
  const { revokedTokens, revokedSessions, cutoffs } = state

  function select(
    liveFilter: (entry: Timed) => boolean,
    cutoffFilter: (cutoff: MemoryCutoff) => boolean,
  ): LiveRevocations {
    return {
      accessTokens: [...revokedTokens.values()].filter(liveFilter).map(toEntry),
      sessions: [...revokedSessions.values()].filter(liveFilter).map(toSession),
      cutoffs: [...cutoffs.entries()].filter(([, cutoff]) => cutoffFilter(cutoff)).map(toCutoff),
    }
  }

  function flush<T extends Timed>(entries: Map<string, T>, now: number): number {
    let count = 0
    for (const [key, entry] of [...entries]) {
      if (entry.expiresAt < now) {
        entries.delete(key)
        count += 1
      }
    }
    return count
  }

  return {
    async revokeAccessToken(entry: RevokedAccessToken, now: number) {
      // Insert-or-ignore, like the SQL upsert: the first write keeps its time.
      if (revokedTokens.has(entry.jti)) return
      const { jti, userId, expiresAt } = entry
      revokedTokens.set(jti, { jti, userId, expiresAt, createdAt: now })
    },

    async revokeSessions(entry: RevokedSessions, now: number) {
      const { userId, expiresAt } = entry
      for (const sessionId of entry.sessionIds) {
        if (revokedSessions.has(sessionId)) continue
        revokedSessions.set(sessionId, { sessionId, userId, expiresAt, createdAt: now })
      }
    },

    async setCutoff(userId: string, notBefore: number, now: number) {
      const current = cutoffs.get(userId)
      if (current && current.notBefore >= notBefore) return current.notBefore
      cutoffs.set(userId, { notBefore, updatedAt: now })
      return notBefore
    },

    async getCutoff(userId: string) {
      return cutoffs.get(userId)?.notBefore
    },

    async loadLive(now: number) {
      return select(
        (entry) => entry.expiresAt > now,
        () => true,
      )
    },

    async loadChangedSince(since: number, now: number) {
      return select(
        (entry) => entry.createdAt > since && entry.expiresAt > now,
        (cutoff) => cutoff.updatedAt > since,
      )
    },

    async flushExpired(now: number) {
      return flush(revokedTokens, now) + flush(revokedSessions, now)
    },
  }
}
