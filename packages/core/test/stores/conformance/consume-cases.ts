import { type AuditEvent, type SessionRecord, StoreUnavailableError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, randomId, successorAt, userWithSession } from './fixtures.js'

/** SessionStore.consumeRefreshToken: every outcome, their ranking, and exactly-one rotation. */
export function describeConsume(getStores: GetStores): void {
  describe('SessionStore.consumeRefreshToken', () => {
    it('answers consumed, revoked, expired and unknown', async () => {
      const stores = getStores()
      const { input } = await userWithSession(stores, 'frank', NOW, 3600)
      const first = successorAt(NOW + 1)
      await stores.sessions.consumeRefreshToken(input.token.jti, NOW + 1, first)
      const consumed = await stores.sessions.consumeRefreshToken(
        input.token.jti,
        NOW + 2,
        successorAt(NOW),
      )
      expect(consumed).toMatchObject({
        outcome: 'consumed',
        token: { jti: input.token.jti, consumedAt: NOW + 1, replacedBy: first.jti },
        session: { id: input.session.id },
      })

      // Expiry is exclusive: at exactly expiresAt the token is expired.
      const { input: other } = await userWithSession(stores, 'grace', NOW, 3600)
      const expired = await stores.sessions.consumeRefreshToken(
        other.token.jti,
        NOW + 3600,
        successorAt(NOW),
      )
      expect(expired).toMatchObject({ outcome: 'expired', token: { consumedAt: null } })
      expect((await stores.sessions.findRefreshToken(other.token.jti))?.consumedAt).toBeNull()

      expect(await stores.sessions.revokeSession(other.session.id, NOW + 5, 'logout')).toBe(true)
      const revoked = await stores.sessions.consumeRefreshToken(
        other.token.jti,
        NOW + 6,
        successorAt(NOW),
      )
      expect(revoked).toMatchObject({
        outcome: 'revoked',
        session: { revokedAt: NOW + 5, revokeReason: 'logout' },
      })

      expect(await stores.sessions.consumeRefreshToken(randomId(), NOW, successorAt(NOW))).toEqual({
        outcome: 'unknown',
      })
    })

    it('ranks outcomes: revoked before consumed before expired', async () => {
      const stores = getStores()
      const { input } = await userWithSession(stores, 'heidi', NOW, 100)
      await stores.sessions.consumeRefreshToken(input.token.jti, NOW + 1, successorAt(NOW + 1, 100))
      const late = await stores.sessions.consumeRefreshToken(
        input.token.jti,
        NOW + 500,
        successorAt(NOW),
      )
      expect(late.outcome).toBe('consumed')
      await stores.sessions.revokeSession(input.session.id, NOW + 2, 'reuse_detected')
      const both = await stores.sessions.consumeRefreshToken(
        input.token.jti,
        NOW + 3,
        successorAt(NOW),
      )
      expect(both.outcome).toBe('revoked')
    })

    it('refuses a successor jti that exists and consumes nothing', async () => {
      const stores = getStores()
      const { input } = await userWithSession(stores, 'ivan')
      const { input: other } = await userWithSession(stores, 'judy')
      const clash = { ...successorAt(NOW + 1), jti: other.token.jti }
      await expect(
        stores.sessions.consumeRefreshToken(input.token.jti, NOW + 1, clash),
      ).rejects.toThrow(StoreUnavailableError)
      expect(await stores.sessions.findRefreshToken(input.token.jti)).toMatchObject({
        consumedAt: null,
        replacedBy: null,
      })
      expect(await stores.sessions.findSession(input.session.id)).toMatchObject({
        lastUsedAt: NOW,
      })
      const retry = await stores.sessions.consumeRefreshToken(
        input.token.jti,
        NOW + 2,
        successorAt(NOW + 2),
      )
      expect(retry.outcome).toBe('rotated')
    })

    it('lets exactly one of 50 concurrent consumes of one jti rotate', async () => {
      const stores = getStores()
      const { input } = await userWithSession(stores, 'kim')
      const successors = Array.from({ length: 50 }, () => successorAt(NOW + 10))
      const results = await Promise.all(
        successors.map((next) =>
          stores.sessions.consumeRefreshToken(input.token.jti, NOW + 10, next),
        ),
      )
      const rotated = results.filter((result) => result.outcome === 'rotated')
      const consumed = results.filter((result) => result.outcome === 'consumed')
      expect(rotated).toHaveLength(1)
      expect(consumed).toHaveLength(49)
      const winner = successors[results.findIndex((result) => result.outcome === 'rotated')]
      for (const result of consumed) {
        if (result.outcome === 'consumed') expect(result.token.replacedBy).toBe(winner?.jti)
      }
      const stored = await Promise.all(
        successors.map((s) => stores.sessions.findRefreshToken(s.jti)),
      )
      expect(stored.filter(Boolean)).toHaveLength(1)
    })

    it('records the audit event of the winner only, in the rotation itself', async () => {
      const stores = getStores()
      const { user, input } = await userWithSession(stores, 'lena')
      const audit = (session: SessionRecord): AuditEvent => ({
        type: 'token_refreshed',
        at: NOW + 10,
        userId: session.userId,
        ip: '192.0.2.7',
        data: { session: session.id },
      })
      const results = await Promise.all(
        Array.from({ length: 10 }, () =>
          stores.sessions.consumeRefreshToken(
            input.token.jti,
            NOW + 10,
            successorAt(NOW + 10),
            audit,
          ),
        ),
      )
      expect(results.filter((result) => result.outcome === 'rotated')).toHaveLength(1)
      const events = await stores.audit.listEvents({ limit: 50, userId: user.id })
      expect(events.filter((event) => event.type === 'token_refreshed')).toEqual([
        expect.objectContaining({
          type: 'token_refreshed',
          at: NOW + 10,
          userId: user.id,
          ip: '192.0.2.7',
          data: { session: input.session.id },
        }),
      ])
    })

    it('records no audit event when the successor clashes and nothing rotates', async () => {
      const stores = getStores()
      const { user, input } = await userWithSession(stores, 'mona')
      const { input: other } = await userWithSession(stores, 'nico')
      const clash = { ...successorAt(NOW + 1), jti: other.token.jti }
      const audit = (session: SessionRecord): AuditEvent => ({
        type: 'token_refreshed',
        at: NOW + 1,
        userId: session.userId,
        ip: null,
        data: {},
      })
      await expect(
        stores.sessions.consumeRefreshToken(input.token.jti, NOW + 1, clash, audit),
      ).rejects.toThrow(StoreUnavailableError)
      expect(await stores.audit.listEvents({ limit: 50, userId: user.id })).toEqual([])
    })
  })
}
