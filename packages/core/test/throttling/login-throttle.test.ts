import { createHash } from 'node:crypto'
import { loginThrottle, MemoryThrottleStore, Throttler, usernameKey } from '@tessera/core'
import { describe, expect, it } from 'vitest'

const T0 = 1_700_000_000
const IP = '203.0.113.7'

function loginThrottler(usernameRate: string | null = '5/min', ipRate: string | null = '5/min') {
  const store = new MemoryThrottleStore()
  return { store, throttler: new Throttler(store, [loginThrottle({ usernameRate, ipRate })]) }
}

describe('loginThrottle', () => {
  describe('password spraying from one IP (the IP key)', () => {
    it('refuses the 6th attempt in a minute, whatever the usernames, with Retry-After', async () => {
      const { throttler } = loginThrottler()
      for (let i = 1; i <= 5; i++) {
        const result = await throttler.check({ ip: IP, username: `user${i}` }, T0 + i)
        expect(result).toEqual({ allowed: true })
      }
      expect(await throttler.check({ ip: IP, username: 'user6' }, T0 + 6)).toEqual({
        allowed: false,
        retryAfterSeconds: 55, // the first attempt (T0+1) leaves the window at T0+61
      })
      expect(await throttler.check({ ip: '198.51.100.1', username: 'user6' }, T0 + 6)).toEqual({
        allowed: true,
      })
      expect(await throttler.check({ ip: IP, username: 'user7' }, T0 + 61)).toEqual({
        allowed: true,
      })
    })
  })

  describe('one account attacked from many IPs (the username key)', () => {
    it('refuses the 6th attempt on one username from 5 other IPs', async () => {
      const { throttler } = loginThrottler()
      for (let i = 1; i <= 5; i++) {
        const result = await throttler.check({ ip: `198.51.100.${i}`, username: 'alice' }, T0)
        expect(result).toEqual({ allowed: true })
      }
      expect(await throttler.check({ ip: '192.0.2.50', username: 'alice' }, T0 + 20)).toEqual({
        allowed: false,
        retryAfterSeconds: 40,
      })
      expect(await throttler.check({ ip: '192.0.2.50', username: 'bob' }, T0 + 20)).toEqual({
        allowed: true,
      })
    })

    it('puts look-alike usernames in one bucket (NFKC + case fold)', async () => {
      const { throttler } = loginThrottler('3/min', null)
      for (const username of ['Admin', 'ａｄｍｉｎ', 'ADMIN']) {
        expect(await throttler.check({ ip: IP, username }, T0)).toEqual({ allowed: true })
      }
      expect(await throttler.check({ ip: IP, username: 'admin' }, T0)).toMatchObject({
        allowed: false,
      })
      expect(await throttler.check({ ip: IP, username: 'ａｄｍｉｎ' }, T0)).toMatchObject({
        allowed: false,
      })
    })
  })

  it('counts both hits and reports the longer wait when both keys are over', async () => {
    const { throttler, store } = loginThrottler('2/min', '3/hour')
    await throttler.check({ ip: IP, username: 'alice' }, T0)
    await throttler.check({ ip: IP, username: 'alice' }, T0 + 10)
    // Username full (wait 50); the IP still had room, so this refused attempt counts on it.
    expect(await throttler.check({ ip: IP, username: 'alice' }, T0 + 10)).toEqual({
      allowed: false,
      retryAfterSeconds: 50,
    })
    expect(await throttler.check({ ip: IP, username: 'alice' }, T0 + 20)).toEqual({
      allowed: false,
      retryAfterSeconds: 3580,
    })
    expect(store.size).toBe(2)
  })

  it('keeps no raw username in its keys: a SHA-256 of the canonical key', () => {
    const [ipBucket, userBucket] = loginThrottle({
      usernameRate: '5/min',
      ipRate: '20/min',
    }).buckets({ ip: IP, username: 'Ａlice' })
    const digest = createHash('sha256').update(usernameKey('alice')).digest('hex')
    expect(ipBucket).toEqual({ key: `login:20/60:ip:${IP}`, limit: 20, windowSeconds: 60 })
    expect(userBucket).toEqual({
      key: `login:5/60:username:${digest}`,
      limit: 5,
      windowSeconds: 60,
    })
    const [, huge] = loginThrottle({ usernameRate: '5/min', ipRate: '5/min' }).buckets({
      ip: IP,
      username: `x:${'y'.repeat(100_000)}\n`,
    })
    expect(huge?.key).toMatch(/^login:5\/60:username:[0-9a-f]{64}$/)
  })

  it('charges a missing or non-string username to the IP key only', () => {
    const throttle = loginThrottle({ usernameRate: '5/min', ipRate: '5/min' })
    for (const username of [undefined, '', 42, ['alice'], { $ne: null }]) {
      expect(throttle.buckets({ ip: IP, username }).map((b) => b.key)).toEqual([
        `login:5/60:ip:${IP}`,
      ])
    }
  })

  it('can disable either key with null or "none"', () => {
    const noIp = loginThrottle({ usernameRate: '5/min', ipRate: 'none' })
    expect(noIp.buckets({ ip: IP, username: 'a' }).map((b) => b.key)).toEqual([
      expect.stringMatching(/^login:5\/60:username:/),
    ])
    const neither = loginThrottle({ usernameRate: null, ipRate: null })
    expect(neither.buckets({ ip: IP, username: 'a' })).toEqual([])
  })

  it('rejects bad rates naming the setting', () => {
    expect(() => loginThrottle({ usernameRate: '5/x', ipRate: '5/min' })).toThrow(
      /^THROTTLE_RATES\.login_username must be a rate/,
    )
    expect(() => loginThrottle({ usernameRate: '5/min', ipRate: 'often' })).toThrow(
      /^THROTTLE_RATES\.login_ip must be a rate/,
    )
  })
})
