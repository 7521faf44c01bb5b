import {
  StoreInputError,
  StoreUnavailableError,
  UsernameTakenError,
  type UserPatch,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newSession, newUser } from './fixtures.js'

/** UserStore: CRUD, keyset pagination, the unique username key. */
export function describeUserStore(getStores: GetStores): void {
  describe('UserStore', () => {
    it('creates a user with a decimal string id and finds it by id and by key', async () => {
      const { users } = getStores()
      const input = newUser('Alice', { lastLogin: NOW - 10.5, isStaff: true })
      const created = await users.createUser(input)
      expect(created.id).toMatch(/^[1-9][0-9]*$/)
      expect(created).toEqual({ ...input, id: created.id })
      expect(await users.findUserById(created.id)).toEqual(created)
      expect(await users.findUserByUsernameKey('alice')).toEqual(created)
    })

    it('stores every field faithfully: null password, booleans, float times, nested profile', async () => {
      const { users } = getStores()
      const input = newUser('bob', {
        password: null,
        isActive: false,
        isStaff: true,
        isSuperuser: true,
        lastLogin: 1_700_000_123.456789,
        dateJoined: 0.5,
        profile: { tags: ['a', 'b'], nested: { n: 1.5, none: null, yes: true }, empty: {} },
      })
      const created = await users.createUser(input)
      expect(await users.findUserById(created.id)).toEqual({ ...input, id: created.id })
    })

    it('hands out increasing ids that are never reused after a delete', async () => {
      const { users } = getStores()
      const a = await users.createUser(newUser('a1'))
      const b = await users.createUser(newUser('a2'))
      expect(BigInt(b.id)).toBeGreaterThan(BigInt(a.id))
      expect(await users.deleteUser(b.id)).toBe(true)
      const c = await users.createUser(newUser('a3'))
      expect(BigInt(c.id)).toBeGreaterThan(BigInt(b.id))
    })

    it('answers undefined for unknown and non-canonical ids and keys', async () => {
      const { users } = getStores()
      const user = await users.createUser(newUser('carol'))
      for (const id of ['999999', `0${user.id}`, `+${user.id}`, ' 1', '1.0', 'abc', '', '-1']) {
        expect(await users.findUserById(id)).toBeUndefined()
      }
      expect(await users.findUserById('99999999999999999999')).toBeUndefined()
      expect(await users.findUserByUsernameKey('Carol')).toBeUndefined()
      expect(await users.findUserByUsernameKey('nobody')).toBeUndefined()
    })

    it('refuses a taken username key with UsernameTakenError, on create and on update', async () => {
      const { users } = getStores()
      await users.createUser(newUser('dave'))
      const other = await users.createUser(newUser('erin'))
      await expect(users.createUser(newUser('Dave', { usernameKey: 'dave' }))).rejects.toThrow(
        UsernameTakenError,
      )
      await expect(users.updateUser(other.id, { usernameKey: 'dave' })).rejects.toThrow(
        UsernameTakenError,
      )
      expect((await users.findUserById(other.id))?.usernameKey).toBe('erin')
      // Keeping one's own key is not a conflict.
      expect((await users.updateUser(other.id, { usernameKey: 'erin' }))?.usernameKey).toBe('erin')
    })

    it('lets exactly one of 10 concurrent registrations of one key win', async () => {
      const { users } = getStores()
      const attempts = Array.from({ length: 10 }, (_, i) =>
        users.createUser(newUser(`Frank${i}`, { usernameKey: 'frank' })),
      )
      const results = await Promise.allSettled(attempts)
      const won = results.filter((result) => result.status === 'fulfilled')
      const lost = results.filter((result) => result.status === 'rejected')
      expect(won).toHaveLength(1)
      expect(lost).toHaveLength(9)
      for (const result of lost) expect(result.reason).toBeInstanceOf(UsernameTakenError)
      expect(await users.listUsers({ limit: 100 })).toHaveLength(1)
    })

    it('updates only the given fields and answers undefined for a missing user', async () => {
      const { users } = getStores()
      const user = await users.createUser(newUser('grace'))
      const updated = await users.updateUser(user.id, {
        email: 'g@example.org',
        isActive: false,
        lastLogin: NOW,
        password: null,
        profile: { timezone: 'UTC' },
        firstName: undefined,
      })
      expect(updated).toEqual({
        ...user,
        email: 'g@example.org',
        isActive: false,
        lastLogin: NOW,
        password: null,
        profile: { timezone: 'UTC' },
      })
      expect(await users.findUserById(user.id)).toEqual(updated)
      expect(await users.updateUser(user.id, {})).toEqual(updated)
      expect(await users.updateUser('987654', { email: 'x' })).toBeUndefined()
      expect(await users.updateUser('nope', { email: 'x' })).toBeUndefined()
    })

    it("sets a login's last_login alone, keeping every other field", async () => {
      const { users } = getStores()
      const user = await users.createUser(newUser('heidi', { lastLogin: null }))
      const updated = await users.updateUser(user.id, { lastLogin: NOW + 0.25 })
      expect(updated).toEqual({ ...user, lastLogin: NOW + 0.25 })
      expect(await users.findUserById(user.id)).toEqual(updated)
      expect(await users.updateUser('987654', { lastLogin: NOW })).toBeUndefined()
    })

    it('lists users by id with keyset pagination', async () => {
      const { users } = getStores()
      const created = []
      for (const name of ['u1', 'u2', 'u3', 'u4', 'u5'])
        created.push(await users.createUser(newUser(name)))
      const ids = created.map((user) => user.id)
      const first = await users.listUsers({ limit: 2 })
      expect(first.map((user) => user.id)).toEqual(ids.slice(0, 2))
      const second = await users.listUsers({ limit: 2, afterId: ids[1] })
      expect(second.map((user) => user.id)).toEqual(ids.slice(2, 4))
      const rest = await users.listUsers({ limit: 10, afterId: ids[3] })
      expect(rest).toEqual([created[4]])
      expect(await users.listUsers({ limit: 10, afterId: ids[4] })).toEqual([])
      expect(await users.listUsers({ limit: 0 })).toEqual([])
    })

    it('rejects a bad limit or cursor with a RangeError', async () => {
      const { users } = getStores()
      await expect(users.listUsers({ limit: -1 })).rejects.toThrow(RangeError)
      await expect(users.listUsers({ limit: 1.5 })).rejects.toThrow(RangeError)
      await expect(users.listUsers({ limit: 1, afterId: 'x' })).rejects.toThrow(RangeError)
    })

    it('deletes a user with their sessions, groups and permissions', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('heidi'))
      const group = await stores.permissions.ensureGroup('editors')
      const permission = await stores.permissions.ensurePermission('blog', 'add_post', 'Can add')
      await stores.permissions.addUserToGroup(user.id, group.id)
      await stores.permissions.grantUserPermission(user.id, permission.id)
      const input = newSession(user.id)
      await stores.sessions.createSession(input)
      expect(await stores.users.deleteUser(user.id)).toBe(true)
      expect(await stores.users.findUserById(user.id)).toBeUndefined()
      expect(await stores.users.findUserByUsernameKey('heidi')).toBeUndefined()
      expect(await stores.sessions.findSession(input.session.id)).toBeUndefined()
      expect(await stores.sessions.findRefreshToken(input.token.jti)).toBeUndefined()
      expect(await stores.permissions.listUserGroups(user.id)).toEqual([])
      expect(await stores.permissions.listUserPermissions(user.id)).toEqual([])
      expect(await stores.users.deleteUser(user.id)).toBe(false)
      expect(await stores.users.deleteUser('abc')).toBe(false)
      // The key is free again.
      await expect(stores.users.createUser(newUser('heidi'))).resolves.toBeDefined()
      // And a dangling reference is refused, as a foreign key would.
      await expect(stores.permissions.addUserToGroup(user.id, group.id)).rejects.toThrow(
        StoreUnavailableError,
      )
    })

    it('refuses U+0000 and lone surrogates in every text field with StoreInputError, on every adapter', async () => {
      const { users } = getStores()
      const frank = await users.createUser(newUser('frank'))
      const fields = ['username', 'usernameKey', 'email', 'firstName', 'lastName', 'password']
      for (const text of ['nul\u0000inside', '\u0000', 'high\ud800', '\udc00low']) {
        const patches: UserPatch[] = [
          ...fields.map((field) => ({ [field]: text })),
          { profile: { note: text } },
          { profile: { list: ['ok', { [text]: 1 }] } },
        ]
        for (const patch of patches) {
          const created = users.createUser(newUser('grace', patch)).catch((e: unknown) => e)
          const updated = users.updateUser(frank.id, patch).catch((e: unknown) => e)
          for (const error of await Promise.all([created, updated])) {
            expect(error, JSON.stringify(patch)).toBeInstanceOf(StoreInputError)
            // The field is named, the value never.
            expect((error as Error).message).toMatch(/^user\.\w+ must not contain U\+0000/)
            expect((error as Error).message).not.toContain(text)
          }
        }
        // No user has such a key, and none is looked for.
        expect(await users.findUserByUsernameKey(`frank${text}`)).toBeUndefined()
      }
      expect(await users.listUsers({ limit: 10 })).toEqual([frank])
      // A surrogate pair is an ordinary character.
      const emoji = newUser('emoji', { firstName: '🔐', profile: { note: '👩🏽‍💻' } })
      expect(await users.createUser(emoji)).toMatchObject({ firstName: '🔐' })
    })

    it('returns copies: mutating a returned profile changes nothing stored', async () => {
      const { users } = getStores()
      const user = await users.createUser(newUser('ivan', { profile: { list: [1] } }))
      ;(user.profile.list as number[]).push(2)
      expect((await users.findUserById(user.id))?.profile).toEqual({ list: [1] })
    })
  })
}
