import { isStorableText } from '../../users/char-field.js'
import { emailKey } from '../../users/email.js'
import { usernameKey } from '../../users/username.js'
import { checkDecimalId, checkLimit } from '../store-input.js'
import { byCodePoints, containsIgnoringAsciiCase, pageOf } from '../store-page.js'
import {
  type CreateUserOptions,
  checkUserQuery,
  checkUserText,
  EmailTakenError,
  type NewUser,
  type UserExpectation,
  UsernameTakenError,
  type UserOrderField,
  type UserPatch,
  type UserQuery,
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

    async searchUsers(query: UserQuery) {
      const { field, descending } = checkUserQuery(query)
      const { search, groupId } = query
      if (search !== undefined && !isStorableText(search)) return { count: 0, items: [] }
      const matching = [...users.values()].filter(
        (user) =>
          (query.isActive === undefined || user.isActive === query.isActive) &&
          (query.isStaff === undefined || user.isStaff === query.isStaff) &&
          (query.isSuperuser === undefined || user.isSuperuser === query.isSuperuser) &&
          (groupId === undefined || state.userGroups.get(user.id)?.has(groupId) === true) &&
          (search === undefined || search === '' || matchesSearch(user, search)),
      )
      const direction = descending ? -1 : 1
      matching.sort(
        (a, b) => direction * (compareBy(field, a, b) || Number(BigInt(a.id) - BigInt(b.id))),
      )
      const page = pageOf(matching, query)
      return { count: page.count, items: page.items.map(copyUser) }
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

/** The search of {@link UserStore.searchUsers}, as the SQL adapters run it. */
function matchesSearch(user: UserRecord, search: string): boolean {
  return (
    user.usernameKey.includes(usernameKey(search)) ||
    (user.email !== '' && emailKey(user.email).includes(emailKey(search))) ||
    containsIgnoringAsciiCase(user.firstName, search) ||
    containsIgnoringAsciiCase(user.lastName, search)
  )
}

/** Ascending order of one field; never-logged-in users sort first, as SQL's explicit rule. */
function compareBy(field: UserOrderField, a: UserRecord, b: UserRecord): number {
  switch (field) {
    case 'id':
      return 0
    case 'username':
      return byCodePoints(a.usernameKey, b.usernameKey)
    case 'email':
      return byCodePoints(
        a.email === '' ? '' : emailKey(a.email),
        b.email === '' ? '' : emailKey(b.email),
      )
    case 'date_joined':
      return a.dateJoined - b.dateJoined
    case 'last_login':
      return (
        (a.lastLogin ?? Number.NEGATIVE_INFINITY) - (b.lastLogin ?? Number.NEGATIVE_INFINITY) || 0
      )
  }
}
