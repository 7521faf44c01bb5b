import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newSession, newUser, successorAt } from './fixtures.js'

/** Strings that break naive SQL building, LIKE patterns, escaping or encodings. */
export const HOSTILE = [
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  "' OR '1'='1",
  "Robert'); DROP TABLE sessions;--",
  '\\',
  "\\'",
  '%_',
  '%',
  '_',
  '$1',
  '?',
  ':name',
  '`id`',
  '[users]',
  '/* comment */',
  'é ß Ǆ İ ﬁ',
  '日本語のユーザー',
  'עברית',
  '🔐👩🏽‍💻🏳️‍🌈',
  '\u200b\u00a0\t\r\n',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
] as const

/** One describe for the threat: hostile strings pass through every store unchanged. */
export function describeInjection(getStores: GetStores): void {
  describe('SQL injection and encoding', () => {
    it('round-trips hostile strings through every store and leaves every table in place', async () => {
      const stores = getStores()
      const users = []
      for (const [index, text] of HOSTILE.entries()) {
        const input = newUser(text, {
          usernameKey: `${text}#${index}`,
          email: text,
          firstName: text,
          lastName: text,
          password: text,
          profile: { [text]: text, list: [text, { [text]: [text] }] },
        })
        const user = await stores.users.createUser(input)
        expect(user).toEqual({ ...input, id: user.id })
        expect(await stores.users.findUserByUsernameKey(`${text}#${index}`)).toEqual(user)
        users.push(user)
      }
      expect(await stores.users.findUserByUsernameKey('%')).toBeUndefined()
      expect(await stores.users.findUserByUsernameKey("' OR '1'='1")).toBeUndefined()
      const owner = users[0]
      if (!owner) throw new Error('no user')

      for (const text of HOSTILE) {
        const permission = await stores.permissions.ensurePermission(text, text, text)
        expect(permission).toMatchObject({ appLabel: text, codename: text, name: text })
        const group = await stores.permissions.ensureGroup(text)
        expect(group.name).toBe(text)
        await stores.permissions.addUserToGroup(owner.id, group.id)
        await stores.permissions.grantGroupPermission(group.id, permission.id)

        const input = newSession(owner.id, NOW, 3600, { device: text, ip: text })
        const session = { ...input.session, id: `${text}/family` }
        const token = { ...input.token, jti: `${text}/jti`, familyId: session.id }
        await stores.sessions.createSession({ session, token })
        expect(await stores.sessions.findSession(session.id)).toMatchObject({
          device: text,
          ip: text,
        })
        const next = { ...successorAt(NOW + 1), jti: `${text}/next` }
        const result = await stores.sessions.consumeRefreshToken(token.jti, NOW + 1, next)
        expect(result.outcome).toBe('rotated')
        expect(await stores.sessions.findRefreshToken(next.jti)).toMatchObject({
          familyId: session.id,
        })
        expect(await stores.sessions.revokeSession(session.id, NOW + 2, text)).toBe(true)
        expect(await stores.sessions.findSession(session.id)).toMatchObject({ revokeReason: text })

        const entry = { jti: text, userId: text, expiresAt: NOW + 60 }
        await stores.revocations.revokeAccessToken(entry, NOW)
        expect(await stores.revocations.setCutoff(text, NOW, NOW)).toBe(NOW)
        expect(await stores.revocations.getCutoff(text)).toBe(NOW)

        await stores.audit.record({
          type: 'login_failed',
          at: NOW,
          userId: text,
          ip: text,
          data: { username: text, [text]: [text, null, { [text]: text }] },
        })
        // Second factors: hostile secrets, digests, jtis, devices and ids pass through unchanged.
        expect(await stores.mfa.saveTotpSetup(owner.id, text, NOW)).toBe(true)
        expect((await stores.mfa.findTotp(owner.id))?.secret).toBe(text)
        await stores.mfa.replaceRecoveryCodes(owner.id, [text], NOW)
        expect(await stores.mfa.useRecoveryCode(owner.id, text, NOW)).toBe(true)
        expect(await stores.mfa.useRecoveryCode(text, text, NOW)).toBe(false)
        expect(await stores.mfa.consumeMfaToken(text, text, NOW + 60)).toBe(true)
        expect(await stores.mfa.consumeMfaToken(text, text, NOW + 60)).toBe(false)
        const device = {
          id: `${text}/device`,
          userId: owner.id,
          tokenHash: `${text}/hash`,
          device: text,
          ip: text,
          createdAt: NOW,
          expiresAt: NOW + 60,
        }
        await stores.mfa.createTrustedDevice(device)
        expect(await stores.mfa.findTrustedDeviceByTokenHash(device.tokenHash)).toEqual({
          ...device,
          revokedAt: null,
        })
        expect(await stores.mfa.revokeTrustedDevice(owner.id, device.id, NOW)).toBe(true)
        expect(await stores.mfa.revokeTrustedDevice(text, device.id, NOW)).toBe(false)
        expect(await stores.mfa.findTotp(text)).toBeUndefined()

        const [record] = await stores.audit.listEvents({ limit: 1, userId: text })
        expect(record).toMatchObject({
          userId: text,
          ip: text,
          data: { username: text, [text]: [text, null, { [text]: text }] },
        })
      }

      const permissions = await stores.permissions.listUserPermissions(owner.id)
      expect(permissions).toHaveLength(HOSTILE.length)
      expect(permissions).toEqual(expect.arrayContaining(HOSTILE.map((text) => `${text}.${text}`)))
      expect(await stores.permissions.listUserGroups(owner.id)).toHaveLength(HOSTILE.length)
      const live = await stores.revocations.loadLive(NOW)
      expect(live.accessTokens.map((entry) => entry.jti).sort()).toEqual([...HOSTILE].sort())

      // Every table still exists and holds what it should.
      expect(await stores.users.listUsers({ limit: 100 })).toEqual(users)
      for (const user of users) expect(await stores.users.findUserById(user.id)).toEqual(user)
      expect(await stores.audit.listEvents({ limit: 100 })).toHaveLength(HOSTILE.length)
      expect(await stores.sessions.revokeUserSessions(owner.id, NOW + 3, 'x')).toEqual([])
      expect(await stores.mfa.listTrustedDevices(owner.id, NOW)).toEqual([])
      await expect(stores.ping()).resolves.toBeUndefined()
      expect(await stores.migrate()).toEqual({ applied: [] })
    })
  })
}
