import type { ThrottleStore } from '@tessera/core'
import { describe, expect, it } from 'vitest'

// A frozen clock: epoch seconds, passed to every hit. No test sleeps.
const T0 = 1_700_000_000

/**
 * The behaviour every ThrottleStore must show (DRF's SimpleRateThrottle). Run it for each adapter
 * with a factory returning a fresh, empty store.
 */
export function describeThrottleStore(
  name: string,
  createStore: () => ThrottleStore | Promise<ThrottleStore>,
): void {
  describe(`${name}: ThrottleStore conformance`, () => {
    async function hits(store: ThrottleStore, key: string, times: number[], limit = 5, win = 60) {
      const decisions = []
      for (const now of times) decisions.push(await store.hit(key, limit, win, now))
      return decisions
    }

    it('allows `limit` hits in a window, counts down `remaining`, refuses the next', async () => {
      const store = await createStore()
      const decisions = await hits(store, 'k', [T0, T0, T0, T0, T0, T0])
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false])
      expect(decisions.map((d) => d.remaining)).toEqual([4, 3, 2, 1, 0, 0])
      expect(decisions.slice(0, 5).every((d) => d.retryAfterSeconds === 0)).toBe(true)
      expect(decisions[5]?.retryAfterSeconds).toBe(60)
    })

    it('computes DRF wait(): window - (now - oldest hit still in the window), rounded up', async () => {
      const store = await createStore()
      // Hits at T0, T0+10, ..., T0+40: the oldest is T0.
      await hits(store, 'k', [T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40])
      const at = async (now: number) => (await store.hit('k', 5, 60, now)).retryAfterSeconds
      expect(await at(T0 + 40)).toBe(20)
      expect(await at(T0 + 45.5)).toBe(15) // 14.5 rounded up
      expect(await at(T0 + 59)).toBe(1)
      expect(await at(T0 + 59.999)).toBe(1)
      // At T0+60 the T0 hit leaves the window (DRF drops `t <= now - window`): one slot frees.
      const reopened = await store.hit('k', 5, 60, T0 + 60)
      expect(reopened).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 0 })
      // Now the oldest counted hit is T0+10.
      expect(await at(T0 + 61)).toBe(9)
    })

    it('does not record refused hits: hammering does not extend the wait', async () => {
      const store = await createStore()
      await hits(store, 'k', [T0, T0], 2)
      for (let t = T0 + 1; t < T0 + 60; t += 7)
        expect((await store.hit('k', 2, 60, t)).allowed).toBe(false)
      expect((await store.hit('k', 2, 60, T0 + 60)).allowed).toBe(true)
    })

    it('lets requests through again once the window has passed', async () => {
      const store = await createStore()
      await hits(store, 'k', [T0, T0, T0, T0, T0])
      expect((await store.hit('k', 5, 60, T0 + 59)).allowed).toBe(false)
      const later = await hits(store, 'k', [T0 + 60, T0 + 60, T0 + 60, T0 + 60, T0 + 60])
      expect(later.every((d) => d.allowed)).toBe(true)
      expect((await store.hit('k', 5, 60, T0 + 61)).retryAfterSeconds).toBe(59)
    })

    it('keeps keys apart', async () => {
      const store = await createStore()
      await hits(store, 'a', [T0, T0], 2)
      expect((await store.hit('a', 2, 60, T0)).allowed).toBe(false)
      expect((await store.hit('b', 2, 60, T0)).allowed).toBe(true)
    })

    it('refuses everything with limit 0, for a whole window', async () => {
      const store = await createStore()
      expect(await store.hit('k', 0, 3600, T0)).toEqual({
        allowed: false,
        retryAfterSeconds: 3600,
        remaining: 0,
      })
    })

    it('counts and decides atomically: 100 concurrent hits, limit 10 -> exactly 10 allowed', async () => {
      const store = await createStore()
      const decisions = await Promise.all(
        Array.from({ length: 100 }, async () => store.hit('race', 10, 60, T0)),
      )
      expect(decisions.filter((d) => d.allowed)).toHaveLength(10)
      const refused = decisions.filter((d) => !d.allowed)
      expect(refused.every((d) => d.retryAfterSeconds === 60 && d.remaining === 0)).toBe(true)
    })
  })
}
