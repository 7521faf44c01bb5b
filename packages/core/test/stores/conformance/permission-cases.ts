import { StoreUnavailableError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, newUser } from './fixtures.js'

/** PermissionStore: ensure-or-get, idempotent links, permissions direct and through groups. */
export function describePermissionStore(getStores: GetStores): void {
  describe('PermissionStore', () => {
    it('ensurePermission creates once and returns the existing one after', async () => {
      const { permissions } = getStores()
      const first = await permissions.ensurePermission('blog', 'add_post', 'Can add post')
      expect(first).toEqual({
        id: expect.stringMatching(/^[1-9][0-9]*$/),
        appLabel: 'blog',
        codename: 'add_post',
        name: 'Can add post',
      })
      expect(await permissions.ensurePermission('blog', 'add_post', 'Another name')).toEqual(first)
      const other = await permissions.ensurePermission('shop', 'add_post', 'Can add post')
      expect(other.id).not.toBe(first.id)
    })

    it('ensurePermission and ensureGroup agree under concurrency', async () => {
      const { permissions } = getStores()
      const perms = await Promise.all(
        Array.from({ length: 10 }, () => permissions.ensurePermission('a', 'b', 'n')),
      )
      expect(new Set(perms.map((p) => p.id)).size).toBe(1)
      const groups = await Promise.all(
        Array.from({ length: 10 }, () => permissions.ensureGroup('crowd')),
      )
      expect(new Set(groups.map((g) => g.id)).size).toBe(1)
    })

    it('ensureGroup creates once and returns the existing one after', async () => {
      const { permissions } = getStores()
      const group = await permissions.ensureGroup('editors')
      expect(group).toEqual({ id: expect.stringMatching(/^[1-9][0-9]*$/), name: 'editors' })
      expect(await permissions.ensureGroup('editors')).toEqual(group)
      expect((await permissions.ensureGroup('Editors')).id).not.toBe(group.id)
    })

    it('combines direct and group permissions, sorted and without duplicates', async () => {
      const { users, permissions } = getStores()
      const user = await users.createUser(newUser('mallory'))
      const other = await users.createUser(newUser('oscar'))
      const add = await permissions.ensurePermission('blog', 'add_post', 'Can add post')
      const del = await permissions.ensurePermission('blog', 'delete_post', 'Can delete post')
      const view = await permissions.ensurePermission('auth', 'view_user', 'Can view user')
      const editors = await permissions.ensureGroup('editors')
      const viewers = await permissions.ensureGroup('viewers')
      await permissions.grantGroupPermission(editors.id, add.id)
      await permissions.grantGroupPermission(editors.id, del.id)
      await permissions.grantGroupPermission(viewers.id, view.id)
      await permissions.addUserToGroup(user.id, viewers.id)
      await permissions.addUserToGroup(user.id, editors.id)
      await permissions.grantUserPermission(user.id, add.id)
      expect(await permissions.listUserGroups(user.id)).toEqual([editors, viewers])
      expect(await permissions.listUserPermissions(user.id)).toEqual([
        'auth.view_user',
        'blog.add_post',
        'blog.delete_post',
      ])
      expect(await permissions.listUserPermissions(other.id)).toEqual([])
      expect(await permissions.listUserGroups(other.id)).toEqual([])

      await permissions.removeUserFromGroup(user.id, editors.id)
      expect(await permissions.listUserGroups(user.id)).toEqual([viewers])
      expect(await permissions.listUserPermissions(user.id)).toEqual([
        'auth.view_user',
        'blog.add_post',
      ])
      await permissions.revokeUserPermission(user.id, add.id)
      expect(await permissions.listUserPermissions(user.id)).toEqual(['auth.view_user'])
    })

    it('grants and memberships are idempotent; removing a missing link does nothing', async () => {
      const { users, permissions } = getStores()
      const user = await users.createUser(newUser('peggy'))
      const perm = await permissions.ensurePermission('app', 'x', 'X')
      const group = await permissions.ensureGroup('g')
      await Promise.all([
        permissions.grantUserPermission(user.id, perm.id),
        permissions.grantUserPermission(user.id, perm.id),
        permissions.addUserToGroup(user.id, group.id),
        permissions.addUserToGroup(user.id, group.id),
        permissions.grantGroupPermission(group.id, perm.id),
        permissions.grantGroupPermission(group.id, perm.id),
      ])
      expect(await permissions.listUserGroups(user.id)).toEqual([group])
      expect(await permissions.listUserPermissions(user.id)).toEqual(['app.x'])
      await permissions.revokeUserPermission(user.id, perm.id)
      await permissions.revokeUserPermission(user.id, perm.id)
      await permissions.removeUserFromGroup(user.id, group.id)
      await permissions.removeUserFromGroup(user.id, group.id)
      await permissions.removeUserFromGroup('nope', 'nope')
      await permissions.revokeUserPermission('123456', perm.id)
      expect(await permissions.listUserPermissions(user.id)).toEqual([])
      expect(await permissions.listUserGroups('nope')).toEqual([])
      expect(await permissions.listUserPermissions('nope')).toEqual([])
    })

    it('refuses links to users, groups or permissions that do not exist', async () => {
      const { users, permissions } = getStores()
      const user = await users.createUser(newUser('trent'))
      const perm = await permissions.ensurePermission('app', 'y', 'Y')
      const group = await permissions.ensureGroup('h')
      const refused = [
        () => permissions.addUserToGroup('987654', group.id),
        () => permissions.addUserToGroup(user.id, '987654'),
        () => permissions.addUserToGroup('x', group.id),
        () => permissions.grantUserPermission(user.id, '987654'),
        () => permissions.grantUserPermission('987654', perm.id),
        () => permissions.grantGroupPermission(group.id, '987654'),
        () => permissions.grantGroupPermission('987654', perm.id),
        () => permissions.grantGroupPermission('01', perm.id),
      ]
      for (const attempt of refused) await expect(attempt()).rejects.toThrow(StoreUnavailableError)
      expect(await permissions.listUserPermissions(user.id)).toEqual([])
    })
  })
}
