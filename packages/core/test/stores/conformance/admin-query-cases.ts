import type { Stores } from '@tessera/core'
import { GroupNameTakenError } from '@tessera/core/admin'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newUser } from './fixtures.js'

/** Five users with distinct names, flags, join dates and logins; returns them by name. */
async function seedUsers(stores: Stores) {
  const make = (name: string, overrides: Parameters<typeof newUser>[1]) =>
    stores.users.createUser(newUser(name, overrides))
  const ada = await make('Ada', { firstName: 'Ada', lastName: 'Byron', dateJoined: NOW - 50 })
  const bob = await make('bob', {
    email: 'Bob.Builder@Example.com',
    firstName: 'Robert',
    lastName: 'Smith',
    isStaff: true,
    lastLogin: NOW - 5,
    dateJoined: NOW - 40,
  })
  const cleo = await make('cleo', {
    email: '',
    firstName: 'Cléo',
    lastName: 'O_Neil%',
    isActive: false,
    lastLogin: NOW - 10,
    dateJoined: NOW - 60,
  })
  const zed = await make('zed', { firstName: 'Zed', lastName: 'Zulu', dateJoined: NOW - 40 })
  const eve = await make('ève', {
    firstName: 'Eve',
    lastName: 'Root',
    isStaff: true,
    isSuperuser: true,
    dateJoined: NOW - 10,
  })
  return { ada, bob, cleo, zed, eve }
}

const names = (page: { items: { username: string }[] }) => page.items.map((user) => user.username)

/** UserStore.searchUsers, PermissionStore's group and permission admin, audit and outbox pages. */
export function describeAdminQueries(getStores: GetStores): void {
  describe('UserStore.searchUsers', () => {
    it('filters by flags and group, with the total count', async () => {
      const stores = getStores()
      const { ada, bob, eve } = await seedUsers(stores)
      const all = await stores.users.searchUsers({ offset: 0, limit: 10 })
      expect(all.count).toBe(5)
      expect(names(all)).toEqual(['Ada', 'bob', 'cleo', 'zed', 'ève'])
      const staff = await stores.users.searchUsers({ isStaff: true, offset: 0, limit: 10 })
      expect(names(staff)).toEqual(['bob', 'ève'])
      const inactive = await stores.users.searchUsers({ isActive: false, offset: 0, limit: 10 })
      expect(names(inactive)).toEqual(['cleo'])
      const plainStaff = await stores.users.searchUsers({
        isStaff: true,
        isSuperuser: false,
        offset: 0,
        limit: 10,
      })
      expect(names(plainStaff)).toEqual(['bob'])
      const group = await stores.permissions.createGroup('editors')
      await stores.permissions.addUserToGroup(ada.id, group.id)
      await stores.permissions.addUserToGroup(eve.id, group.id)
      const members = await stores.users.searchUsers({ groupId: group.id, offset: 0, limit: 10 })
      expect(names(members)).toEqual(['Ada', 'ève'])
      for (const groupId of ['999', '01', 'x']) {
        expect(await stores.users.searchUsers({ groupId, offset: 0, limit: 10 })).toEqual({
          count: 0,
          items: [],
        })
      }
      expect(bob.isStaff).toBe(true)
    })

    it('searches username and email by their folded keys, names by ASCII case', async () => {
      const stores = getStores()
      await seedUsers(stores)
      const search = async (text: string) =>
        names(await stores.users.searchUsers({ search: text, offset: 0, limit: 10 }))
      expect(await search('ADA')).toEqual(['Ada'])
      expect(await search('bob.builder@example')).toEqual(['bob'])
      expect(await search('ROBERT')).toEqual(['bob'])
      expect(await search('ÈVE')).toEqual(['ève'])
      expect(await search('zulu')).toEqual(['zed'])
      // LIKE's wildcards are plain characters in a search.
      expect(await search('_neil%')).toEqual(['cleo'])
      expect(await search('%')).toEqual(['cleo'])
      expect(await search('_')).toEqual(['cleo'])
      expect(await search('nobody')).toEqual([])
      expect(await search('')).toHaveLength(5)
      expect(await search('a\u0000')).toEqual([])
      expect(await search('\ud800')).toEqual([])
    })

    it('orders by each field both ways, ties by id, never-logged-in users first', async () => {
      const stores = getStores()
      await seedUsers(stores)
      const order = async (ordering: Parameters<Stores['users']['searchUsers']>[0]['ordering']) =>
        names(await stores.users.searchUsers({ ordering, offset: 0, limit: 10 }))
      expect(await order('username')).toEqual(['Ada', 'bob', 'cleo', 'zed', 'ève'])
      expect(await order('-username')).toEqual(['ève', 'zed', 'cleo', 'bob', 'Ada'])
      expect(await order('-id')).toEqual(['ève', 'zed', 'cleo', 'bob', 'Ada'])
      expect(await order('date_joined')).toEqual(['cleo', 'Ada', 'bob', 'zed', 'ève'])
      expect(await order('-date_joined')).toEqual(['ève', 'zed', 'bob', 'Ada', 'cleo'])
      expect(await order('last_login')).toEqual(['Ada', 'zed', 'ève', 'cleo', 'bob'])
      expect(await order('-last_login')).toEqual(['bob', 'cleo', 'ève', 'zed', 'Ada'])
      expect(await order('email')).toEqual(['cleo', 'Ada', 'bob', 'zed', 'ève'])
      await expect(
        stores.users.searchUsers({ ordering: 'password' as 'id', offset: 0, limit: 1 }),
      ).rejects.toThrow(RangeError)
    })

    it('pages with offset and limit; the count covers every page', async () => {
      const stores = getStores()
      await seedUsers(stores)
      const page = (offset: number, limit: number) =>
        stores.users.searchUsers({ ordering: 'username', offset, limit })
      expect(names(await page(0, 2))).toEqual(['Ada', 'bob'])
      expect(names(await page(2, 2))).toEqual(['cleo', 'zed'])
      const last = await page(4, 2)
      expect(last.count).toBe(5)
      expect(names(last)).toEqual(['ève'])
      expect(await page(5, 2)).toEqual({ count: 5, items: [] })
      expect((await page(0, 0)).items).toEqual([])
      await expect(page(-1, 2)).rejects.toThrow(RangeError)
      await expect(page(0, 1.5)).rejects.toThrow(RangeError)
    })
  })

  describe('PermissionStore admin', () => {
    it('creates, renames and deletes groups; names are unique', async () => {
      const { permissions, users } = getStores()
      const editors = await permissions.createGroup('editors')
      await expect(permissions.createGroup('editors')).rejects.toThrow(GroupNameTakenError)
      const writers = await permissions.createGroup('writers')
      await expect(permissions.renameGroup(writers.id, 'editors')).rejects.toThrow(
        GroupNameTakenError,
      )
      expect(await permissions.renameGroup(writers.id, 'writers')).toEqual(writers)
      expect(await permissions.renameGroup(writers.id, 'authors')).toEqual({
        id: writers.id,
        name: 'authors',
      })
      expect(await permissions.renameGroup('999', 'x')).toBeUndefined()
      expect(await permissions.renameGroup('x', 'x')).toBeUndefined()
      // The old name is free again.
      expect((await permissions.createGroup('writers')).name).toBe('writers')
      const user = await users.createUser(newUser('member'))
      await permissions.addUserToGroup(user.id, editors.id)
      const perm = await permissions.ensurePermission('blog', 'add_post', 'Can add post')
      await permissions.grantGroupPermission(editors.id, perm.id)
      expect(await permissions.listUserPermissions(user.id)).toEqual(['blog.add_post'])
      expect(await permissions.deleteGroup(editors.id)).toBe(true)
      expect(await permissions.deleteGroup(editors.id)).toBe(false)
      expect(await permissions.deleteGroup('nope')).toBe(false)
      expect(await permissions.listUserGroups(user.id)).toEqual([])
      expect(await permissions.listUserPermissions(user.id)).toEqual([])
      expect(await permissions.findGroup(editors.id)).toBeUndefined()
    })

    it('of concurrent creations of one name exactly one succeeds', async () => {
      const { permissions } = getStores()
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, () => permissions.createGroup('crowd')),
      )
      expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(GroupNameTakenError)
      }
    })

    it('lists groups by name with permissions and member counts, and revokes', async () => {
      const { permissions, users } = getStores()
      const beta = await permissions.createGroup('Beta')
      const alpha = await permissions.createGroup('alpha')
      await permissions.createGroup('Ålpha')
      const one = await users.createUser(newUser('one'))
      const two = await users.createUser(newUser('two'))
      await permissions.addUserToGroup(one.id, beta.id)
      await permissions.addUserToGroup(two.id, beta.id)
      const add = await permissions.ensurePermission('blog', 'add_post', 'Can add post')
      const change = await permissions.ensurePermission('auth', 'change_user', 'Can change user')
      await permissions.grantGroupPermission(beta.id, add.id)
      await permissions.grantGroupPermission(beta.id, change.id)
      const listed = await permissions.listGroups({ offset: 0, limit: 10 })
      expect(listed.count).toBe(3)
      expect(listed.items.map((group) => group.name)).toEqual(['Beta', 'alpha', 'Ålpha'])
      expect(listed.items[0]).toEqual({
        id: beta.id,
        name: 'Beta',
        permissions: ['auth.change_user', 'blog.add_post'],
        memberCount: 2,
      })
      expect(listed.items[1]).toEqual({ ...alpha, permissions: [], memberCount: 0 })
      const searched = await permissions.listGroups({ search: 'ALP', offset: 0, limit: 10 })
      expect(searched.items.map((group) => group.name)).toEqual(['alpha'])
      const second = await permissions.listGroups({ offset: 1, limit: 1 })
      expect(second).toEqual({ count: 3, items: [{ ...alpha, permissions: [], memberCount: 0 }] })
      await permissions.revokeGroupPermission(beta.id, add.id)
      await permissions.revokeGroupPermission(beta.id, add.id)
      await permissions.revokeGroupPermission('x', add.id)
      expect((await permissions.findGroup(beta.id))?.permissions).toEqual(['auth.change_user'])
      expect(await permissions.listUserPermissions(one.id)).toEqual(['auth.change_user'])
      await expect(permissions.listGroups({ offset: -1, limit: 1 })).rejects.toThrow(RangeError)
    })

    it('finds and lists permissions; tells direct grants from group ones', async () => {
      const { permissions, users } = getStores()
      const add = await permissions.ensurePermission('blog', 'add_post', 'Can add post')
      await permissions.ensurePermission('auth', 'change_user', 'Can change user')
      await permissions.ensurePermission('blog', 'delete_post', 'Can delete post')
      expect(await permissions.findPermission('blog', 'add_post')).toEqual(add)
      expect(await permissions.findPermission('blog', 'nope')).toBeUndefined()
      expect(await permissions.findPermission('blog\u0000', 'add_post')).toBeUndefined()
      const listed = await permissions.listPermissions({ offset: 0, limit: 10 })
      expect(listed.count).toBe(3)
      expect(listed.items.map((p) => `${p.appLabel}.${p.codename}`)).toEqual([
        'auth.change_user',
        'blog.add_post',
        'blog.delete_post',
      ])
      const searched = await permissions.listPermissions({ search: 'DELETE', offset: 0, limit: 10 })
      expect(searched.items.map((p) => p.codename)).toEqual(['delete_post'])
      const byName = await permissions.listPermissions({
        search: 'can change',
        offset: 0,
        limit: 1,
      })
      expect(byName.count).toBe(1)
      const user = await users.createUser(newUser('direct'))
      const group = await permissions.createGroup('g')
      await permissions.addUserToGroup(user.id, group.id)
      const change = await permissions.findPermission('auth', 'change_user')
      if (change === undefined) throw new Error('missing permission')
      await permissions.grantGroupPermission(group.id, change.id)
      await permissions.grantUserPermission(user.id, add.id)
      expect(await permissions.listUserDirectPermissions(user.id)).toEqual(['blog.add_post'])
      expect(await permissions.listUserPermissions(user.id)).toEqual([
        'auth.change_user',
        'blog.add_post',
      ])
      expect(await permissions.listUserDirectPermissions('x')).toEqual([])
    })
  })

  describe('AuditStore.queryEvents', () => {
    it('filters by user, types and time, newest first, paged with a count', async () => {
      const { audit } = getStores()
      const types = ['login_succeeded', 'login_failed', 'logout'] as const
      for (let index = 0; index < 12; index += 1) {
        await audit.record({
          type: types[index % 3] ?? 'logout',
          at: NOW + index,
          userId: index % 2 === 0 ? '1' : '2',
          ip: null,
          data: { index },
        })
      }
      const at = (page: { items: { at: number }[] }) => page.items.map((event) => event.at - NOW)
      const all = await audit.queryEvents({ offset: 0, limit: 5 })
      expect(all.count).toBe(12)
      expect(at(all)).toEqual([11, 10, 9, 8, 7])
      expect(at(await audit.queryEvents({ offset: 10, limit: 5 }))).toEqual([1, 0])
      const mine = await audit.queryEvents({ userId: '1', offset: 0, limit: 20 })
      expect(at(mine)).toEqual([10, 8, 6, 4, 2, 0])
      const logins = await audit.queryEvents({
        types: ['login_succeeded', 'logout'],
        offset: 0,
        limit: 20,
      })
      expect(at(logins)).toEqual([11, 9, 8, 6, 5, 3, 2, 0])
      const window = await audit.queryEvents({
        since: NOW + 3,
        until: NOW + 6,
        userId: '2',
        offset: 0,
        limit: 20,
      })
      expect(window).toMatchObject({ count: 2 })
      expect(at(window)).toEqual([5, 3])
      expect(await audit.queryEvents({ types: [], offset: 0, limit: 5 })).toEqual({
        count: 0,
        items: [],
      })
      expect((await audit.queryEvents({ userId: 'x', offset: 0, limit: 5 })).count).toBe(0)
      expect(all.items[0]?.data).toEqual({ index: 11 })
      await expect(audit.queryEvents({ since: Number.NaN, offset: 0, limit: 1 })).rejects.toThrow(
        RangeError,
      )
      await expect(audit.queryEvents({ offset: 0, limit: -1 })).rejects.toThrow(RangeError)
    })
  })

  describe('MailOutboxStore admin', () => {
    it('pages messages newest first by status and finds one', async () => {
      const { mail } = getStores()
      const ids: string[] = []
      for (let index = 0; index < 4; index += 1) {
        const message = await mail.enqueue({
          kind: 'activation',
          from: 'noreply@example.com',
          to: `u${index}@example.com`,
          subject: `s${index}`,
          text: 'body',
          html: null,
          createdAt: NOW + index,
          userId: null,
        })
        ids.push(message.id)
      }
      await mail.claimDue(NOW + 10, 1, 60)
      await mail.markFailed(ids[0] ?? '', { at: NOW + 11, error: 'ECONNREFUSED', retryAt: null })
      const page = await mail.listPage({ offset: 1, limit: 2 })
      expect(page.count).toBe(4)
      expect(page.items.map((message) => message.id)).toEqual([ids[2], ids[1]])
      const failed = await mail.listPage({ status: 'failed', offset: 0, limit: 10 })
      expect(failed.items.map((message) => message.id)).toEqual([ids[0]])
      expect(failed.items[0]?.lastError).toBe('ECONNREFUSED')
      expect((await mail.findMessage(ids[0] ?? ''))?.status).toBe('failed')
      expect(await mail.findMessage('999')).toBeUndefined()
      expect(await mail.findMessage('x')).toBeUndefined()
      await expect(mail.listPage({ offset: 0, limit: -1 })).rejects.toThrow(RangeError)
    })
  })
}
