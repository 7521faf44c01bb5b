import {
  anonThrottle,
  MemoryThrottleStore,
  scopedThrottle,
  type ThrottleDecision,
  type ThrottleRequest,
  Throttler,
  type ThrottleStore,
  throttledBody,
  userThrottle,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

const T0 = 1_700_000_000
const IP = '203.0.113.7'

function throttler(...throttles: Parameters<typeof anonThrottle>[0][]) {
  return new Throttler(new MemoryThrottleStore(), throttles.map(anonThrottle))
}

async function run(t: Throttler, times: number, request: ThrottleRequest = { ip: IP }, now = T0) {
  const results = []
  for (let i = 0; i < times; i++) results.push(await t.check(request, now))
  return results
}

describe('anonThrottle', () => {
  it('throttles anonymous requests per IP, DRF-style', async () => {
    const t = throttler('3/min')
    const results = await run(t, 4)
    expect(results.slice(0, 3)).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }])
    expect(results[3]).toEqual({ allowed: false, retryAfterSeconds: 60 })
    expect(await t.check({ ip: '198.51.100.1' }, T0)).toEqual({ allowed: true })
    expect(await t.check({ ip: IP }, T0 + 59.5)).toEqual({ allowed: false, retryAfterSeconds: 1 })
    expect(await t.check({ ip: IP }, T0 + 60)).toEqual({ allowed: true })
  })

  it('leaves authenticated requests alone', async () => {
    const t = throttler('1/min')
    const results = await run(t, 5, { ip: IP, userId: '42' })
    expect(results.every((r) => r.allowed)).toBe(true)
  })

  it('counts an IPv6 client by its /64, whatever address it rotates to', async () => {
    const t = throttler('2/min')
    await t.check({ ip: '2001:db8:1:2::1' }, T0)
    await t.check({ ip: '2001:DB8:1:2:ffff:0:0:9' }, T0)
    expect((await t.check({ ip: '2001:db8:1:2:abcd::77' }, T0)).allowed).toBe(false)
    expect((await t.check({ ip: '2001:db8:1:3::1' }, T0)).allowed).toBe(true)
  })

  it('is disabled by a null or "none" rate', async () => {
    for (const t of [throttler(null), throttler('none')]) {
      expect((await run(t, 50)).every((r) => r.allowed)).toBe(true)
    }
  })

  it('rejects a bad rate when built, naming the setting', () => {
    expect(() => anonThrottle('5/fortnight')).toThrow(/^THROTTLE_RATES\.anon must be a rate/)
    expect(() => anonThrottle({ limit: -1, windowSeconds: 60 })).toThrow(/limit must be/)
  })
})

describe('userThrottle', () => {
  it('counts per user id when authenticated, per IP otherwise', async () => {
    const t = new Throttler(new MemoryThrottleStore(), [userThrottle('2/min')])
    await run(t, 2, { ip: IP, userId: '42' })
    // Same user from another IP: still user 42's bucket.
    expect(await t.check({ ip: '198.51.100.9', userId: '42' }, T0)).toMatchObject({
      allowed: false,
    })
    expect(await t.check({ ip: IP, userId: '43' }, T0)).toEqual({ allowed: true })
    // Anonymous from the same IP: its own bucket.
    expect(await t.check({ ip: IP }, T0)).toEqual({ allowed: true })
  })

  it('hashes a long or odd user id instead of putting it in a key', () => {
    const [bucket] = userThrottle('2/min').buckets({ ip: IP, userId: `a:b c${'x'.repeat(300)}` })
    expect(bucket?.key).toMatch(/^user:2\/60:id:#[0-9a-f]{64}$/)
    const [plain] = userThrottle('2/min').buckets({ ip: IP, userId: '42' })
    expect(plain?.key).toBe('user:2/60:id:42')
  })
})

describe('scopedThrottle', () => {
  it('applies only to its scope, with a bucket per scope and user-or-IP', async () => {
    const t = new Throttler(new MemoryThrottleStore(), [
      scopedThrottle('uploads', '1/hour'),
      scopedThrottle('contacts', '1/hour'),
    ])
    expect(await t.check({ ip: IP, scope: 'uploads' }, T0)).toEqual({ allowed: true })
    expect(await t.check({ ip: IP, scope: 'uploads' }, T0 + 600)).toEqual({
      allowed: false,
      retryAfterSeconds: 3000,
    })
    expect(await t.check({ ip: IP, scope: 'contacts' }, T0)).toEqual({ allowed: true })
    expect(await t.check({ ip: IP, scope: 'other' }, T0)).toEqual({ allowed: true })
    expect(await t.check({ ip: IP }, T0)).toEqual({ allowed: true })
    expect(await t.check({ ip: IP, userId: '7', scope: 'uploads' }, T0)).toEqual({ allowed: true })
  })

  it('rejects a scope that is not a plain name', () => {
    for (const scope of ['', 'a:b', 'with space', 'x'.repeat(65)]) {
      expect(() => scopedThrottle(scope, '1/min')).toThrow(TypeError)
    }
    expect(() => scopedThrottle('uploads', '1/x')).toThrow(/^THROTTLE_RATES\.uploads must be/)
  })
})

describe('Throttler', () => {
  it('hits every throttle and reports the longest wait (DRF check_throttles)', async () => {
    const store = new MemoryThrottleStore()
    const burst = anonThrottle('2/min')
    const sustained = anonThrottle('4/hour')
    const t = new Throttler(store, [burst, sustained])
    const at = (now: number) => t.check({ ip: IP }, now)
    await run(t, 2)
    // Burst full (wait 60 - 30); the sustained throttle still counts this hit: 3 of 4.
    expect(await at(T0 + 30)).toEqual({ allowed: false, retryAfterSeconds: 30 })
    expect(await at(T0 + 60)).toEqual({ allowed: true })
    // Sustained full; the burst throttle allows, so it counts this refused request (DRF).
    expect(await at(T0 + 61)).toEqual({ allowed: false, retryAfterSeconds: 3539 })
    // Both refuse: the longest wait is reported.
    expect(await at(T0 + 62)).toEqual({ allowed: false, retryAfterSeconds: 3538 })
    expect(store.hit('anon:2/60:ip:203.0.113.7', 2, 60, T0 + 62)).toMatchObject({
      allowed: false,
      retryAfterSeconds: 58,
    })
  })

  it('allows requests no throttle applies to without touching the store', async () => {
    const t = new Throttler({ hit: () => Promise.reject(new Error('unused')) }, [])
    expect(await t.check({ ip: IP }, T0)).toEqual({ allowed: true })
  })

  it('propagates store failures so callers fail closed', async () => {
    const down: ThrottleStore = { hit: () => Promise.reject(new Error('store down')) }
    await expect(
      new Throttler(down, [anonThrottle('5/min')]).check({ ip: IP }, T0),
    ).rejects.toThrow('store down')
  })

  it('turns a sloppy refusal into at least 1 whole second', async () => {
    const sloppy = (retryAfterSeconds: number): ThrottleStore => ({
      hit: (): ThrottleDecision => ({ allowed: false, retryAfterSeconds, remaining: 0 }),
    })
    for (const [given, expected] of [
      [0, 1],
      [2.2, 3],
      [Number.NaN, 1],
    ] as const) {
      const t = new Throttler(sloppy(given), [anonThrottle('5/min')])
      expect(await t.check({ ip: IP }, T0)).toEqual({ allowed: false, retryAfterSeconds: expected })
    }
  })
})

describe('throttledBody', () => {
  it("is DRF's 429 body with the same N as Retry-After", () => {
    expect(throttledBody(42)).toEqual({
      detail: 'Request was throttled. Expected available in 42 seconds.',
    })
    expect(throttledBody(0.2)).toEqual({
      detail: 'Request was throttled. Expected available in 1 second.',
    })
  })
})
