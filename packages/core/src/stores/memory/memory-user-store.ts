import { emailKey } from '../../users/email.js'
import { checkDecimalId, checkLimit } from '../store-input.js'
import {
  type CreateUserOptions,
  checkUserText,
  EmailTakenError,
  type NewUser,
  type UserExpectation,
  UsernameTakenError,
  type UserPatch,
  type UserRecord,
  type UserStore,
} from '../user-store.js'
import { cloneJson, type MemoryState } from './memory-state.js'

function copyUser(user: UserRecord): UserRecord {
  return { ...user, profile: cloneJson(user.profile) }
}

/** Users held in `state`; each method runs within one tick, so it is atomic. */
export function createMemoryUserStore(state: MemoryState): UserStore {
  const { users, userIdByKey } = state
  const store: UserStore = {
    async createUser(user: NewUser, options: CreateUserOptions = {}) {
      checkUserText(user)
      if (userIdByKey.has(user.usernameKey)) throw new UsernameTakenError()
      if (options.uniqueEmail === true && user.email !== '') {
        const key = emailKey(user.email)
        for (const other of users.values()) {
          if (other.email !== '' && emailKey(other.email) === key) throw new EmailTakenError()
        }
      }
      state.sequences.user += 1
      const id = String(state.sequences.user)
      const record: UserRecord = { ...user, id, profile: cloneJson(user.profile) }
      users.set(id, record)
      userIdByKey.set(record.usernameKey, id)
      return copyUser(record)
    },

    async findUserById(id: string) {
      const user = users.get(id)
      return user && copyUser(user)
    },

    async findUserByUsernameKey(usernameKey: string) {
      const id = userIdByKey.get(usernameKey)
      const user = id === undefined ? undefined : users.get(id)
      return user && copyUser(user)
    },

    async findUsersByEmail(email: string) {
      if (email === '') return []
      const key = emailKey(email)
      const found: UserRecord[] = []
      // Map order is id order (ids only grow), as the SQL adapters' ORDER BY id.
      for (const user of users.values()) {
        if (user.email !== '' && emailKey(user.email) === key) found.push(copyUser(user))
      }
      return found
    },

    async updateUser(id: string, patch: UserPatch) {
      checkUserText(patch)
      const current = users.get(id)
      if (!current) return undefined
      const defined = Object.fromEntries(
        Object.entries(patch).filter(([key, value]) => value !== undefined && key !== 'id'),
      ) as UserPatch
      const next: UserRecord = { ...current, ...defined, id }
      if (next.usernameKey !== current.usernameKey) {
        if (userIdByKey.has(next.usernameKey)) throw new UsernameTakenError()
        userIdByKey.delete(current.usernameKey)
        userIdByKey.set(next.usernameKey, id)
      }
      const stored = { ...next, profile: cloneJson(next.profile) }
      users.set(id, stored)
      return copyUser(stored)
    },

    async updateUserIf(id: string, expected: UserExpectation, patch: UserPatch) {
      const current = users.get(id)
      if (current === undefined) return undefined
      for (const [field, value] of Object.entries(expected)) {
        if (value !== undefined && current[field as keyof UserExpectation] !== value)
          return undefined
      }
      return store.updateUser(id, patch)
    },

    async listUsers({ limit, afterId }: { limit: number; afterId?: string }) {
      checkLimit(limit)
      if (afterId !== undefined) checkDecimalId(afterId, 'afterId')
      const after = afterId === undefined ? 0n : BigInt(afterId)
      // Map order is insertion order, which is id order because ids only grow.
      const page: UserRecord[] = []
      for (const user of users.values()) {
        if (page.length >= limit) break
        if (BigInt(user.id) > after) page.push(copyUser(user))
      }
      return page
    },

    async deleteUser(id: string) {
      const user = users.get(id)
      if (!user) return false
      users.delete(id)
      userIdByKey.delete(user.usernameKey)
      // The cascades of the SQL foreign keys.
      state.userGroups.delete(id)
      state.userPermissions.delete(id)
      state.totp.delete(id)
      state.recoveryCodes.delete(id)
      for (const device of [...state.trustedDevices.values()]) {
        if (device.userId === id) state.trustedDevices.delete(device.id)
      }
      for (const passkey of [...state.passkeys.values()]) {
        if (passkey.userId === id) state.passkeys.delete(passkey.id)
      }
      for (const session of [...state.sessions.values()]) {
        if (session.userId === id) state.sessions.delete(session.id)
      }
      for (const token of [...state.refreshTokens.values()]) {
        if (!state.sessions.has(token.familyId)) state.refreshTokens.delete(token.jti)
      }
      return true
    },
  }
  return store
}
