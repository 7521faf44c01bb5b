import { describe, expect, it } from 'vitest'
import {
  type GetStores,
  NOW,
  newSession,
  randomId,
  successorAt,
  userWithSession,
} from './fixtures.js'

/** SessionStore: revoking, listing live families, flushing expired ones. */
export function describeSessionLifecycle(getStores: GetStores): void {
  describe('SessionStore lifecycle', () => {
    it('revokeSession revokes once, records when and why', async () => {
      const stores = getStores()
      const { input } = await userWithSession(stores, 'alice')
      expect(await stores.sessions.revokeSession(input.session.id, NOW + 1, 'logout')).toBe(true)
      expect(await stores.sessions.revokeSession(input.session.id, NOW + 2, 'admin')).toBe(false)
      expect(await stores.sessions.revokeSession(randomId(), NOW, 'admin')).toBe(false)
      expect(await stores.sessions.findSession(input.session.id)).toMatchObject({
        revokedAt: NOW + 1,
        revokeReason: 'logout',
      })
    })

    it('finds no session or token by an id holding U+0000 or a lone surrogate, and revokes none', async () => {
      const stores = getStores()
      await userWithSession(stores, 'nul')
      for (const id of ['a\u0000b', '\ud800', `${'0'.repeat(31)}\u0000`]) {
        expect(await stores.sessions.findSession(id)).toBeUndefined()
        expect(await stores.sessions.findRefreshToken(id)).toBeUndefined()
        expect(await stores.sessions.revokeSession(id, NOW, 'revoked')).toBe(false)
      }
    })

    it('revokeUserSessions revokes only the live families of that user', async () => {
      const stores = getStores()
      const { user, input: live } = await userWithSession(stores, 'bob')
      const second = newSession(user.id, NOW + 5)
      const expired = newSession(user.id, NOW - 7200, 3600)
      const revoked = newSession(user.id)
      for (const input of [second, expired, revoked]) await stores.sessions.createSession(input)
      await stores.sessions.revokeSession(revoked.session.id, NOW, 'logout')
      const { input: stranger } = await userWithSession(stores, 'carol')

      expect(
        (await stores.sessions.revokeUserSessions(user.id, NOW + 10, 'logout_all')).sort(),
      ).toEqual([live.session.id, second.session.id].sort())
      for (const id of [live.session.id, second.session.id]) {
        expect(await stores.sessions.findSession(id)).toMatchObject({
          revokedAt: NOW + 10,
          revokeReason: 'logout_all',
        })
      }
      expect(await stores.sessions.findSession(expired.session.id)).toMatchObject({
        revokedAt: null,
      })
      expect(await stores.sessions.findSession(revoked.session.id)).toMatchObject({
        revokeReason: 'logout',
      })
      expect(await stores.sessions.findSession(stranger.session.id)).toMatchObject({
        revokedAt: null,
      })
      expect(await stores.sessions.revokeUserSessions(user.id, NOW + 11, 'logout_all')).toEqual([])
      expect(await stores.sessions.revokeUserSessions('nobody', NOW, 'x')).toEqual([])
    })

    it('listSessions shows live families newest first, not revoked or expired ones', async () => {
      const stores = getStores()
      const { user, input: oldest } = await userWithSession(stores, 'dave', NOW - 100)
      const newest = newSession(user.id, NOW - 10)
      const middle = newSession(user.id, NOW - 50)
      const expired = newSession(user.id, NOW - 7200, 3600)
      const revoked = newSession(user.id, NOW - 5)
      for (const input of [newest, middle, expired, revoked])
        await stores.sessions.createSession(input)
      await stores.sessions.revokeSession(revoked.session.id, NOW, 'logout')
      await userWithSession(stores, 'erin')

      const listed = await stores.sessions.listSessions(user.id, NOW)
      expect(listed.map((session) => session.id)).toEqual([
        newest.session.id,
        middle.session.id,
        oldest.session.id,
      ])
      expect(listed[0]).toEqual({ ...newest.session, revokedAt: null, revokeReason: null })
      // A rotation extends a family: one that would have expired stays listed.
      const short = newSession(user.id, NOW - 1, 10)
      await stores.sessions.createSession(short)
      await stores.sessions.consumeRefreshToken(short.token.jti, NOW, successorAt(NOW, 3600))
      expect((await stores.sessions.listSessions(user.id, NOW + 100)).map((s) => s.id)).toContain(
        short.session.id,
      )
      expect(await stores.sessions.listSessions(user.id, NOW + 10 ** 6)).toEqual([])
      expect(await stores.sessions.listSessions('nobody', NOW)).toEqual([])
    })

    it('flushExpired deletes expired tokens and families and counts the tokens', async () => {
      const stores = getStores()
      const { user, input: live } = await userWithSession(stores, 'frank', NOW, 3600)
      // A family that expired, with two tokens (one consumed).
      const gone = newSession(user.id, NOW - 7200, 1800)
      await stores.sessions.createSession(gone)
      const goneNext = successorAt(NOW - 7000, 1800)
      await stores.sessions.consumeRefreshToken(gone.token.jti, NOW - 7000, goneNext)
      // A live family whose first token has expired after a rotation.
      const rotated = newSession(user.id, NOW - 600, 300)
      await stores.sessions.createSession(rotated)
      const rotatedNext = successorAt(NOW - 400, 3600)
      await stores.sessions.consumeRefreshToken(rotated.token.jti, NOW - 400, rotatedNext)

      expect(await stores.sessions.flushExpired(NOW)).toBe(3)
      expect(await stores.sessions.findSession(gone.session.id)).toBeUndefined()
      expect(await stores.sessions.findRefreshToken(gone.token.jti)).toBeUndefined()
      expect(await stores.sessions.findRefreshToken(goneNext.jti)).toBeUndefined()
      expect(await stores.sessions.findRefreshToken(rotated.token.jti)).toBeUndefined()
      expect(await stores.sessions.findSession(rotated.session.id)).toBeDefined()
      expect(await stores.sessions.findRefreshToken(rotatedNext.jti)).toBeDefined()
      expect(await stores.sessions.findSession(live.session.id)).toBeDefined()
      expect(await stores.sessions.findRefreshToken(live.token.jti)).toBeDefined()
      expect(await stores.sessions.flushExpired(NOW)).toBe(0)
      // Expiry is strict: a token expiring exactly at `now` stays.
      expect(await stores.sessions.flushExpired(NOW + 3200)).toBe(0)
      expect(await stores.sessions.flushExpired(NOW + 3200.5)).toBe(1)
      expect(await stores.sessions.findSession(rotated.session.id)).toBeUndefined()
      expect(await stores.sessions.flushExpired(NOW + 3600.5)).toBe(1)
      expect(await stores.sessions.findSession(live.session.id)).toBeUndefined()
    })
  })
}
