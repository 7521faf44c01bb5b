import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, randomId } from './fixtures.js'

function byJti<T extends { jti: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => (a.jti < b.jti ? -1 : 1))
}

function bySession<T extends { sessionId: string }>(list: T[]): T[] {
  return [...list].sort((a, b) => (a.sessionId < b.sessionId ? -1 : 1))
}

/** The flat entries `loadLive` returns for one `revokeSessions` call. */
function flatten(entry: { userId: string; sessionIds: string[]; expiresAt: number }) {
  const { userId, expiresAt } = entry
  return entry.sessionIds.map((sessionId) => ({ sessionId, userId, expiresAt }))
}

/** RevocationStore: idempotent revocations, forward-only cut-offs, live and changed views. */
export function describeRevocationStore(getStores: GetStores): void {
  describe('RevocationStore', () => {
    it('revokes an access token idempotently', async () => {
      const { revocations } = getStores()
      const entry = { jti: randomId(), userId: '7', expiresAt: NOW + 300 }
      await revocations.revokeAccessToken(entry, NOW)
      await revocations.revokeAccessToken(entry, NOW + 1)
      await Promise.all([
        revocations.revokeAccessToken(entry, NOW + 2),
        revocations.revokeAccessToken(entry, NOW + 3),
      ])
      expect(await revocations.loadLive(NOW)).toEqual({
        accessTokens: [entry],
        sessions: [],
        cutoffs: [],
      })
      // The first write keeps its time.
      expect((await revocations.loadChangedSince(NOW + 0.5, NOW)).accessTokens).toEqual([])
    })

    it('moves a cut-off forward only and returns the effective value', async () => {
      const { revocations } = getStores()
      expect(await revocations.getCutoff('7')).toBeUndefined()
      expect(await revocations.setCutoff('7', NOW, NOW)).toBe(NOW)
      expect(await revocations.setCutoff('7', NOW - 100, NOW + 1)).toBe(NOW)
      expect(await revocations.getCutoff('7')).toBe(NOW)
      expect(await revocations.setCutoff('7', NOW + 0.5, NOW + 2)).toBe(NOW + 0.5)
      expect(await revocations.getCutoff('7')).toBe(NOW + 0.5)
      expect(await revocations.getCutoff('8')).toBeUndefined()
    })

    it('ends at the maximum of 20 concurrent cut-offs, whatever their order', async () => {
      const { revocations } = getStores()
      const values = Array.from({ length: 20 }, () => NOW + Math.random() * 1000)
      const returned = await Promise.all(
        values.map((value, index) => revocations.setCutoff('42', value, NOW + index)),
      )
      const max = Math.max(...values)
      expect(await revocations.getCutoff('42')).toBe(max)
      for (const [index, value] of returned.entries()) {
        expect(value).toBeGreaterThanOrEqual(values[index] ?? Number.NaN)
      }
    })

    it('loadLive returns unexpired tokens and every cut-off', async () => {
      const { revocations } = getStores()
      const live = { jti: randomId(), userId: '1', expiresAt: NOW + 60 }
      const edge = { jti: randomId(), userId: '1', expiresAt: NOW }
      const dead = { jti: randomId(), userId: '2', expiresAt: NOW - 60 }
      for (const entry of [live, edge, dead]) await revocations.revokeAccessToken(entry, NOW - 100)
      await revocations.setCutoff('1', NOW - 50, NOW - 50)
      await revocations.setCutoff('2', NOW - 5000, NOW - 5000)
      const loaded = await revocations.loadLive(NOW)
      expect(loaded.accessTokens).toEqual([live])
      expect([...loaded.cutoffs].sort((a, b) => (a.userId < b.userId ? -1 : 1))).toEqual([
        { userId: '1', notBefore: NOW - 50 },
        { userId: '2', notBefore: NOW - 5000 },
      ])
    })

    it('loadChangedSince returns what was written after `since`', async () => {
      const { revocations } = getStores()
      const before = { jti: randomId(), userId: '1', expiresAt: NOW + 600 }
      const after = { jti: randomId(), userId: '2', expiresAt: NOW + 600 }
      const afterButExpired = { jti: randomId(), userId: '2', expiresAt: NOW - 1 }
      await revocations.revokeAccessToken(before, NOW - 10)
      await revocations.revokeAccessToken(after, NOW + 10)
      await revocations.revokeAccessToken(afterButExpired, NOW + 10)
      await revocations.setCutoff('1', NOW - 10, NOW - 10)
      await revocations.setCutoff('2', NOW + 5, NOW + 5)
      // A cut-off that does not move keeps its change time.
      await revocations.setCutoff('1', NOW - 20, NOW + 20)

      expect(await revocations.loadChangedSince(NOW, NOW)).toEqual({
        accessTokens: [after],
        sessions: [],
        cutoffs: [{ userId: '2', notBefore: NOW + 5 }],
      })
      // Strictly after: a write at exactly `since` was already seen.
      expect(await revocations.loadChangedSince(NOW + 10, NOW)).toEqual({
        accessTokens: [],
        sessions: [],
        cutoffs: [],
      })
      const all = await revocations.loadChangedSince(NOW - 1000, NOW)
      expect(byJti(all.accessTokens)).toEqual(byJti([before, after]))
      expect(all.cutoffs).toHaveLength(2)
    })

    it('flushExpired deletes tokens expired before now and counts them', async () => {
      const { revocations } = getStores()
      const entries = [NOW - 10, NOW - 1, NOW, NOW + 1].map((expiresAt) => ({
        jti: randomId(),
        userId: '1',
        expiresAt,
      }))
      for (const entry of entries) await revocations.revokeAccessToken(entry, NOW - 100)
      await revocations.setCutoff('1', NOW - 100, NOW - 100)
      expect(await revocations.flushExpired(NOW)).toBe(2)
      expect(await revocations.flushExpired(NOW)).toBe(0)
      expect(byJti((await revocations.loadChangedSince(0, 0)).accessTokens)).toEqual(
        byJti(entries.slice(2)),
      )
      // Cut-offs are never flushed.
      expect(await revocations.getCutoff('1')).toBe(NOW - 100)
    })

    it('revokes sessions idempotently, several in one call, the first write keeping its entry', async () => {
      const { revocations } = getStores()
      const first = { userId: '7', sessionIds: [randomId(), randomId()], expiresAt: NOW + 300 }
      await revocations.revokeSessions(first, NOW)
      const again = {
        userId: '7',
        sessionIds: [first.sessionIds[0] as string],
        expiresAt: NOW + 900,
      }
      await revocations.revokeSessions(again, NOW + 1)
      await Promise.all([
        revocations.revokeSessions(first, NOW + 2),
        revocations.revokeSessions(first, NOW + 3),
      ])
      await revocations.revokeSessions({ userId: '7', sessionIds: [], expiresAt: NOW + 300 }, NOW)
      const live = await revocations.loadLive(NOW)
      expect(bySession(live.sessions)).toEqual(bySession(flatten(first)))
      expect(live.accessTokens).toEqual([])
      expect((await revocations.loadChangedSince(NOW + 0.5, NOW)).sessions).toEqual([])
    })

    it('revokes 100 sessions in one call, and 20 overlapping calls at once', async () => {
      const { revocations } = getStores()
      const ids = Array.from({ length: 100 }, () => randomId())
      await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          revocations.revokeSessions(
            { userId: '9', sessionIds: ids.slice(index * 4, index * 4 + 20), expiresAt: NOW + 60 },
            NOW,
          ),
        ),
      )
      await revocations.revokeSessions({ userId: '9', sessionIds: ids, expiresAt: NOW + 60 }, NOW)
      const live = await revocations.loadLive(NOW)
      expect(bySession(live.sessions)).toEqual(
        bySession(flatten({ userId: '9', sessionIds: ids, expiresAt: NOW + 60 })),
      )
    })

    it('loads live and changed sessions, and flushes expired ones', async () => {
      const { revocations } = getStores()
      const before = { userId: '1', sessionIds: [randomId()], expiresAt: NOW + 600 }
      const after = { userId: '2', sessionIds: [randomId()], expiresAt: NOW + 600 }
      const edge = { userId: '2', sessionIds: [randomId()], expiresAt: NOW }
      const dead = { userId: '2', sessionIds: [randomId()], expiresAt: NOW - 1 }
      await revocations.revokeSessions(before, NOW - 10)
      for (const entry of [after, edge, dead]) await revocations.revokeSessions(entry, NOW + 10)
      expect(bySession((await revocations.loadLive(NOW)).sessions)).toEqual(
        bySession([...flatten(before), ...flatten(after)]),
      )
      expect((await revocations.loadChangedSince(NOW, NOW)).sessions).toEqual(flatten(after))
      expect((await revocations.loadChangedSince(NOW + 10, NOW)).sessions).toEqual([])
      expect(await revocations.flushExpired(NOW)).toBe(1)
      expect(bySession((await revocations.loadChangedSince(0, 0)).sessions)).toEqual(
        bySession([...flatten(before), ...flatten(after), ...flatten(edge)]),
      )
    })
  })
}
