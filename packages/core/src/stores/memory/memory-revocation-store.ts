import type {
  LiveRevocations,
  RevocationStore,
  RevokedAccessToken,
  UserTokenCutoff,
} from '../revocation-store.js'
import type { MemoryCutoff, MemoryRevokedToken, MemoryState } from './memory-state.js'

function toEntry({ jti, userId, expiresAt }: MemoryRevokedToken): RevokedAccessToken {
  return { jti, userId, expiresAt }
}

function toCutoff([userId, cutoff]: [string, MemoryCutoff]): UserTokenCutoff {
  return { userId, notBefore: cutoff.notBefore }
}

/** Access-token revocations and per-user cut-offs held in `state`. */
export function createMemoryRevocationStore(state: MemoryState): RevocationStore {
  const { revokedTokens, cutoffs } = state

  function select(
    tokenFilter: (token: MemoryRevokedToken) => boolean,
    cutoffFilter: (cutoff: MemoryCutoff) => boolean,
  ): LiveRevocations {
    return {
      accessTokens: [...revokedTokens.values()].filter(tokenFilter).map(toEntry),
      cutoffs: [...cutoffs.entries()].filter(([, cutoff]) => cutoffFilter(cutoff)).map(toCutoff),
    }
  }

  return {
    async revokeAccessToken(entry: RevokedAccessToken, now: number) {
      // Insert-or-ignore, like the SQL upsert: the first write keeps its time.
      if (revokedTokens.has(entry.jti)) return
      const { jti, userId, expiresAt } = entry
      revokedTokens.set(jti, { jti, userId, expiresAt, createdAt: now })
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
        (token) => token.expiresAt > now,
        () => true,
      )
    },

    async loadChangedSince(since: number, now: number) {
      return select(
        (token) => token.createdAt > since && token.expiresAt > now,
        (cutoff) => cutoff.updatedAt > since,
      )
    },

    async flushExpired(now: number) {
      let count = 0
      for (const token of [...revokedTokens.values()]) {
        if (token.expiresAt < now) {
          revokedTokens.delete(token.jti)
          count += 1
        }
      }
      return count
    },
  }
}
