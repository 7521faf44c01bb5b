import type { PasskeyRecord, PasskeyStore } from '../passkey-store.js'
import { constraintFailure, type MemoryState } from './memory-state.js'

const copy = (record: PasskeyRecord): PasskeyRecord => ({
  ...record,
  transports: [...record.transports],
})

/**
 * Passkeys held in `state`. Every method reads and writes within one tick, so the conditional
 * writes (`consumeChallenge`, `usePasskey`) are atomic.
 */
export function createMemoryPasskeyStore(state: MemoryState): PasskeyStore {
  const { passkeys, passkeyChallenges } = state

  const owned = (userId: string, id: string) => {
    const passkey = passkeys.get(id)
    return passkey?.userId === userId ? passkey : undefined
  }

  return {
    async createPasskey(record) {
      if (!state.users.has(record.userId)) throw constraintFailure()
      if (passkeys.has(record.id)) return false
      passkeys.set(record.id, copy({ ...record, lastUsedAt: null, clonedAt: null }))
      return true
    },

    async findPasskey(id) {
      const passkey = passkeys.get(id)
      return passkey && copy(passkey)
    },

    async listPasskeys(userId) {
      return [...passkeys.values()]
        .filter((passkey) => passkey.userId === userId)
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1))
        .map(copy)
    },

    async renamePasskey(userId, id, name) {
      const passkey = owned(userId, id)
      if (passkey === undefined) return false
      passkeys.set(id, { ...passkey, name })
      return true
    },

    async deletePasskey(userId, id) {
      return owned(userId, id) !== undefined && passkeys.delete(id)
    },

    async deleteUserPasskeys(userId) {
      let count = 0
      for (const passkey of [...passkeys.values()]) {
        if (passkey.userId === userId && passkeys.delete(passkey.id)) count += 1
      }
      return count
    },

    async usePasskey(id, counter, backedUp, now) {
      const passkey = passkeys.get(id)
      if (passkey === undefined || passkey.clonedAt !== null) return false
      if (!(passkey.counter < counter || (passkey.counter === 0 && counter === 0))) return false
      passkeys.set(id, { ...passkey, counter, backedUp, lastUsedAt: now })
      return true
    },

    async flagPasskeyCloned(id, now) {
      const passkey = passkeys.get(id)
      if (passkey === undefined) return false
      if (passkey.clonedAt === null) passkeys.set(id, { ...passkey, clonedAt: now })
      return true
    },

    async saveChallenge(challenge) {
      if (passkeyChallenges.has(challenge.challenge)) throw constraintFailure()
      if (challenge.userId !== null && !state.users.has(challenge.userId)) {
        throw constraintFailure()
      }
      passkeyChallenges.set(challenge.challenge, { ...challenge })
    },

    async consumeChallenge(value, now) {
      const challenge = passkeyChallenges.get(value)
      if (challenge === undefined) return undefined
      passkeyChallenges.delete(value)
      return challenge.expiresAt > now ? { ...challenge } : undefined
    },

    async flushExpired(now) {
      let count = 0
      for (const challenge of [...passkeyChallenges.values()]) {
        if (challenge.expiresAt < now && passkeyChallenges.delete(challenge.challenge)) count += 1
      }
      return count
    },
  }
}
