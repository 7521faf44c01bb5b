import { DEFAULT_MAX_THROTTLE_KEYS, MemoryThrottleStore } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { describeThrottleStore } from './throttle-store-conformance.js'

const T0 = 1_700_000_000

describeThrottleStore('MemoryThrottleStore', () => new MemoryThrottleStore())

describe('MemoryThrottleStore', () => {
  it('answers synchronously', () => {
    const decision = new MemoryThrottleStore().hit('k', 1, 60, T0)
    expect(decision).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 0 })
  })

  it('holds 100 000 keys by default', () => {
    expect(DEFAULT_MAX_THROTTLE_KEYS).toBe(100_000)
  })

  describe('memory bound', () => {
    it('fails closed for new keys when full, never forgetting a live key', () => {
      const store = new MemoryThrottleStore({ maxKeys: 3 })
      store.hit('a', 1, 60, T0)
      store.hit('b', 1, 60, T0 + 10)
      store.hit('c', 1, 60, T0 + 20)
      // A new key is refused until the first key ('a') expires at T0+60.
      expect(store.hit('d', 1, 60, T0 + 30)).toEqual({
        allowed: false,
        retryAfterSeconds: 30,
        remaining: 0,
      })
      expect(store.size).toBe(3)
      // The attacker's flood did not reset 'a': it is still throttled.
      expect(store.hit('a', 1, 60, T0 + 30)).toMatchObject({
        allowed: false,
        retryAfterSeconds: 30,
      })
    })

    it('lets existing keys work while full', () => {
      const store = new MemoryThrottleStore({ maxKeys: 2 })
      store.hit('a', 5, 60, T0)
      store.hit('b', 5, 60, T0)
      expect(store.hit('c', 5, 60, T0).allowed).toBe(false)
      expect(store.hit('a', 5, 60, T0 + 1)).toMatchObject({ allowed: true, remaining: 3 })
    })

    it('sweeps expired keys lazily to make room', () => {
      const store = new MemoryThrottleStore({ maxKeys: 2 })
      store.hit('a', 5, 60, T0)
      store.hit('b', 5, 10, T0)
      expect(store.hit('c', 5, 60, T0 + 9).allowed).toBe(false)
      // 'b' (10 s window) expired at T0+10; 'a' (60 s) still counts.
      expect(store.hit('c', 5, 60, T0 + 10).allowed).toBe(true)
      expect(store.size).toBe(2)
      expect(store.hit('d', 5, 60, T0 + 10)).toMatchObject({
        allowed: false,
        retryAfterSeconds: 50,
      })
      expect(store.hit('a', 5, 60, T0 + 10)).toMatchObject({ allowed: true, remaining: 3 })
    })

    it('sweeps buckets whose newest hit left the window, not just their oldest', () => {
      const store = new MemoryThrottleStore({ maxKeys: 1 })
      store.hit('a', 5, 60, T0)
      store.hit('a', 5, 60, T0 + 30)
      expect(store.hit('b', 5, 60, T0 + 89).retryAfterSeconds).toBe(1)
      expect(store.hit('b', 5, 60, T0 + 90).allowed).toBe(true)
      expect(store.size).toBe(1)
    })

    it('rejects a maxKeys that is not a positive integer', () => {
      for (const maxKeys of [0, -1, 1.5, Number.NaN]) {
        expect(() => new MemoryThrottleStore({ maxKeys })).toThrow(TypeError)
      }
    })
  })

  it("matches a line-by-line port of DRF's SimpleRateThrottle on random traffic", () => {
    let seed = 42
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
      return seed / 2 ** 31
    }
    for (const [limit, windowSeconds] of [
      [0, 60],
      [1, 1],
      [3, 10],
      [5, 60],
      [20, 3600],
    ] as const) {
      const store = new MemoryThrottleStore()
      const history: number[] = [] // DRF keeps newest first
      let now = T0
      for (let i = 0; i < 2000; i++) {
        now += random() < 0.1 ? random() * windowSeconds : random() * 3
        while (history.length > 0 && (history.at(-1) ?? 0) <= now - windowSeconds) history.pop()
        const refused = history.length >= limit
        const oldest = history.at(-1)
        const remaining = oldest === undefined ? windowSeconds : windowSeconds - (now - oldest)
        const wait = remaining / (limit - history.length + 1)
        if (!refused) history.unshift(now)
        const decision = store.hit('k', limit, windowSeconds, now)
        expect(decision.allowed).toBe(!refused)
        expect(decision.retryAfterSeconds).toBe(refused ? Math.ceil(wait) : 0)
      }
    }
  })

  it('keeps at most `limit` timestamps per key when a rate is lowered', () => {
    const store = new MemoryThrottleStore()
    for (let i = 0; i < 10; i++) store.hit('k', 10, 60, T0 + i)
    // With limit 3 the 3 newest hits (T0+7..9) count: free when T0+7 leaves, at T0+67.
    expect(store.hit('k', 3, 60, T0 + 20).retryAfterSeconds).toBe(47)
  })

  it('keeps its log ordered when the clock steps back', () => {
    const store = new MemoryThrottleStore()
    store.hit('k', 2, 60, T0 + 30)
    store.hit('k', 2, 60, T0) // the clock stepped back 30 s
    // The oldest hit is T0, whatever the order the hits came in.
    expect(store.hit('k', 2, 60, T0 + 31).retryAfterSeconds).toBe(29)
  })

  it('refuses nonsense arguments', () => {
    const store = new MemoryThrottleStore()
    expect(() => store.hit('k', -1, 60, T0)).toThrow(TypeError)
    expect(() => store.hit('k', 1.5, 60, T0)).toThrow(TypeError)
    expect(() => store.hit('k', 5, 0, T0)).toThrow(TypeError)
    expect(() => store.hit('k', 5, 60, Number.NaN)).toThrow(TypeError)
  })
})
