import type { ImportedUser, ImportSnapshot } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newUser, randomId, successorAt } from './fixtures.js'

const HOUR = 3600

function importedUser(
  id: string,
  username: string,
  extra: Partial<ImportedUser> = {},
): ImportedUser {
  return {
    id,
    username,
    email: `${username}@example.com`,
    firstName: 'Peter',
    lastName: 'Parker',
    password: 'pbkdf2_sha256$260000$salt$hash',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    lastLogin: null,
    dateJoined: NOW - 86_400,
    ...extra,
  }
}

/** Two users in a group with one permission each way, one outstanding and one blacklisted token. */
function snapshot(extra: Partial<ImportSnapshot> = {}): ImportSnapshot {
  return {
    users: [importedUser('7', 'spiderman'), importedUser('42', 'editor', { isStaff: true })],
    permissions: [
      { appLabel: 'auth', codename: 'view_user', name: 'Can view user' },
      { appLabel: 'blog', codename: 'add_post', name: 'Can add post' },
    ],
    groups: [{ name: 'editors', permissions: ['blog.add_post'] }],
    userGroups: [{ userId: '42', group: 'editors' }],
    userPermissions: [{ userId: '42', permission: 'auth.view_user' }],
    refreshTokens: [
      {
        jti: 'a'.repeat(32),
        userId: '7',
        issuedAt: NOW - HOUR,
        expiresAt: NOW + HOUR,
        blacklisted: false,
      },
      {
        jti: 'b'.repeat(32),
        userId: '7',
        issuedAt: NOW - HOUR,
        expiresAt: NOW + HOUR,
        blacklisted: true,
      },
      {
        jti: 'c'.repeat(32),
        userId: '42',
        issuedAt: NOW - 2 * HOUR,
        expiresAt: NOW - 1,
        blacklisted: false,
      },
    ],
    ...extra,
  }
}

const options = (dryRun = false) => ({ dryRun, now: NOW, newSessionId: randomId })

/** ImportStore: ids kept, links mirrored, tokens as sessions, idempotent, all or nothing. */
export function describeImportStore(getStores: GetStores): void {
  describe('ImportStore', () => {
    it('keeps ids, mirrors groups and permissions, and makes outstanding tokens sessions', async () => {
      const stores = getStores()
      const report = await stores.imports.importSnapshot(snapshot(), options())
      expect(report).toEqual({
        users: { created: ['7', '42'], updated: [], unchanged: 0 },
        permissions: 2,
        groups: 1,
        linksChanged: 1,
        sessions: { created: 1, revoked: 0, unchanged: 2 },
        problems: [],
      })
      expect(await stores.users.findUserById('42')).toMatchObject({
        username: 'editor',
        usernameKey: 'editor',
        isStaff: true,
        password: 'pbkdf2_sha256$260000$salt$hash',
        profile: {},
      })
      expect((await stores.permissions.listUserPermissions('42')).sort()).toEqual([
        'auth.view_user',
        'blog.add_post',
      ])
      expect(await stores.permissions.listUserPermissions('7')).toEqual([])
      const token = await stores.sessions.findRefreshToken('a'.repeat(32))
      expect(token).toMatchObject({ userId: '7', issuedAt: NOW - HOUR, expiresAt: NOW + HOUR })
      expect(await stores.sessions.findRefreshToken('b'.repeat(32))).toBeUndefined()
      // The sequence moved past the imported ids: the next user gets a fresh one.
      const next = await stores.users.createUser(newUser('newcomer'))
      expect(Number(next.id)).toBeGreaterThan(42)
      // The imported session rotates like any other.
      const rotated = await stores.sessions.consumeRefreshToken(
        'a'.repeat(32),
        NOW,
        successorAt(NOW),
      )
      expect(rotated.outcome).toBe('rotated')
    })

    it('changes nothing the second time, and says so', async () => {
      const stores = getStores()
      await stores.imports.importSnapshot(snapshot(), options())
      expect(await stores.imports.importSnapshot(snapshot(), options())).toEqual({
        users: { created: [], updated: [], unchanged: 2 },
        permissions: 2,
        groups: 1,
        linksChanged: 0,
        sessions: { created: 0, revoked: 0, unchanged: 3 },
        problems: [],
      })
    })

    it('updates changed users, mirrors removed links, ends newly blacklisted sessions', async () => {
      const stores = getStores()
      await stores.imports.importSnapshot(snapshot(), options())
      const later = snapshot({
        users: [importedUser('7', 'spiderman', { isActive: false }), importedUser('42', 'editor')],
        userGroups: [],
        refreshTokens: [
          {
            jti: 'a'.repeat(32),
            userId: '7',
            issuedAt: NOW - HOUR,
            expiresAt: NOW + HOUR,
            blacklisted: true,
          },
        ],
      })
      const report = await stores.imports.importSnapshot(later, options())
      expect(report.users).toEqual({ created: [], updated: ['7', '42'], unchanged: 0 })
      expect(report.linksChanged).toBe(1)
      expect(report.sessions).toEqual({ created: 0, revoked: 1, unchanged: 0 })
      expect(await stores.permissions.listUserPermissions('42')).toEqual(['auth.view_user'])
      const token = await stores.sessions.findRefreshToken('a'.repeat(32))
      const session = await stores.sessions.findSession(token?.familyId ?? '')
      expect(session?.revokedAt).toBe(NOW)
    })

    it('reports a clashing username with its id and leaves out that user and its tokens', async () => {
      const stores = getStores()
      const here = await stores.users.createUser(newUser('spiderman'))
      const report = await stores.imports.importSnapshot(
        snapshot({ users: [importedUser('7', 'SpiderMan'), importedUser('42', 'editor')] }),
        options(),
      )
      expect(report.users.created).toEqual(['42'])
      expect(report.problems).toEqual([
        {
          table: 'user',
          id: '7',
          reason: `username "SpiderMan" is taken here by user ${here.id} (usernames are unique without regard to case)`,
        },
        { table: 'refresh_token', id: 'a'.repeat(32), reason: 'its user 7 is not imported' },
        { table: 'refresh_token', id: 'b'.repeat(32), reason: 'its user 7 is not imported' },
      ])
      expect(await stores.users.findUserById('7')).toBeUndefined()
    })

    it('refuses text a store cannot hold, by id, and writes nothing in a dry run', async () => {
      const stores = getStores()
      const report = await stores.imports.importSnapshot(
        snapshot({ users: [importedUser('7', 'spider\u0000man'), importedUser('42', 'editor')] }),
        options(true),
      )
      expect(report.problems[0]).toMatchObject({ table: 'user', id: '7' })
      expect(report.users.created).toEqual(['42'])
      expect(await stores.users.findUserById('42')).toBeUndefined()
      expect(await stores.permissions.listUserPermissions('42')).toEqual([])
    })
  })
}
