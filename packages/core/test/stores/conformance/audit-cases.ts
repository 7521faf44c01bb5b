import type { AuditEvent } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW } from './fixtures.js'

function event(index: number, userId: string | null): AuditEvent {
  return {
    type: index % 2 ? 'login_succeeded' : 'login_failed',
    at: NOW + index,
    userId,
    ip: userId === null ? null : `198.51.100.${index}`,
    data: { index, reason: userId === null ? 'unknown_user' : null, nested: { list: [index] } },
  }
}

/** AuditStore: append, newest first, per user, with the limit. */
export function describeAuditStore(getStores: GetStores): void {
  describe('AuditStore', () => {
    it('lists events newest first with increasing decimal ids', async () => {
      const { audit } = getStores()
      const events = [event(1, '1'), event(2, null), event(3, '2'), event(4, '1')]
      for (const item of events) await audit.record(item)
      const listed = await audit.listEvents({ limit: 10 })
      expect(listed.map(({ id: _, ...rest }) => rest)).toEqual([...events].reverse())
      const ids = listed.map((record) => BigInt(record.id))
      expect(ids).toEqual([...ids].sort((a, b) => (a > b ? -1 : 1)))
      expect(new Set(ids).size).toBe(4)
    })

    it('filters by user and honours the limit', async () => {
      const { audit } = getStores()
      for (let index = 0; index < 12; index += 1) {
        await audit.record(event(index, index % 3 === 0 ? '3' : '4'))
      }
      const mine = await audit.listEvents({ limit: 10, userId: '3' })
      expect(mine.map((record) => record.at)).toEqual([NOW + 9, NOW + 6, NOW + 3, NOW])
      const two = await audit.listEvents({ limit: 2, userId: '4' })
      expect(two.map((record) => record.at)).toEqual([NOW + 11, NOW + 10])
      expect(await audit.listEvents({ limit: 3 })).toHaveLength(3)
      expect(await audit.listEvents({ limit: 0 })).toEqual([])
      expect(await audit.listEvents({ limit: 5, userId: '999' })).toEqual([])
      await expect(audit.listEvents({ limit: -1 })).rejects.toThrow(RangeError)
    })

    it('keeps every one of many concurrent records', async () => {
      const { audit } = getStores()
      await Promise.all(Array.from({ length: 30 }, (_, index) => audit.record(event(index, '5'))))
      const listed = await audit.listEvents({ limit: 100, userId: '5' })
      expect(listed).toHaveLength(30)
      expect(new Set(listed.map((record) => record.id)).size).toBe(30)
    })
  })
}
