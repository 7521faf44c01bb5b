import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket, connect as tcpConnect } from 'node:net'
import { MemoryThrottleStore, type ThrottleStore } from '@tessera/core'
import { type RedisThrottleClient, RedisThrottleStore } from '@tessera/core/redis-throttle'
import { Redis, type RedisOptions } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { describeThrottleStore } from './throttle-store-conformance.js'

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL
const T0 = 1_700_000_000
// Every key this run writes lives under its own random prefix; only that prefix is deleted.
const RUN_PREFIX = `tessera:throttle:test-${randomBytes(6).toString('hex')}:`
let storeCount = 0
const freshPrefix = () => `${RUN_PREFIX}${storeCount++}:`

// In the real-Redis tests a fallback would hide a broken Redis: make it fail the test instead.
const NO_FALLBACK: ThrottleStore = {
  hit() {
    throw new Error('RedisThrottleStore fell back: Redis did not answer')
  },
}

async function hitMany(store: ThrottleStore, key: string, times: number, limit: number) {
  return Promise.all(Array.from({ length: times }, async () => store.hit(key, limit, 60, T0)))
}

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('RedisThrottleStore without Redis: fails safe with a stricter per-process limit', () => {
  it('decides every hit on a closed port, limit 10 x factor 0.5 -> exactly 5 allowed', async () => {
    const client = new Redis({
      host: '127.0.0.1',
      port: 1,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      connectTimeout: 200,
      retryStrategy: () => null,
    })
    client.on('error', () => {})
    const errors: Error[] = []
    try {
      const store = new RedisThrottleStore(client, {
        commandTimeoutMs: 300,
        onError: (error) => errors.push(error),
      })
      const decisions = await hitMany(store, 'login:5/60:ip:203.0.113.7', 100, 10)
      expect(decisions.filter((d) => d.allowed)).toHaveLength(5)
      expect(decisions.filter((d) => !d.allowed).every((d) => d.retryAfterSeconds === 60)).toBe(
        true,
      )
      expect(store.degraded).toBe(true)
      // Reported, without the key.
      expect(errors.length).toBeGreaterThan(0)
      expect(errors.some((error) => error.message.includes('203.0.113.7'))).toBe(false)
    } finally {
      client.disconnect()
    }
  })

  it('times out a client that never answers, and never loosens limit 0 or 1', async () => {
    const hanging: RedisThrottleClient = {
      evalsha: () => new Promise(() => {}),
      eval: () => new Promise(() => {}),
    }
    const store = new RedisThrottleStore(hanging, { commandTimeoutMs: 50 })
    expect((await store.hit('zero', 0, 60, T0)).allowed).toBe(false)
    expect((await hitMany(store, 'one', 3, 1)).filter((d) => d.allowed)).toHaveLength(1)
    expect((await hitMany(store, 'three', 5, 3)).filter((d) => d.allowed)).toHaveLength(1)
  })

  it('uses an injected fallback store and factor', async () => {
    const calls: number[] = []
    const fallback: ThrottleStore = {
      hit(_key, limit) {
        calls.push(limit)
        return { allowed: true, retryAfterSeconds: 0, remaining: limit - 1 }
      },
    }
    const failing: RedisThrottleClient = {
      evalsha: () => Promise.reject(new Error('ECONNREFUSED')),
      eval: () => Promise.reject(new Error('ECONNREFUSED')),
    }
    const store = new RedisThrottleStore(failing, { fallback, fallbackFactor: 0.25 })
    await store.hit('k', 100, 60, T0)
    expect(calls).toEqual([25])
  })

  it('rejects bad options and arguments', async () => {
    const client = {} as RedisThrottleClient
    expect(() => new RedisThrottleStore(client, { fallbackFactor: 0 })).toThrow(TypeError)
    expect(() => new RedisThrottleStore(client, { fallbackFactor: 1.5 })).toThrow(TypeError)
    expect(() => new RedisThrottleStore(client, { commandTimeoutMs: 0 })).toThrow(TypeError)
    const store = new RedisThrottleStore(client)
    await expect(store.hit('k', -1, 60, T0)).rejects.toThrow(TypeError)
    await expect(store.hit('k', 1, 0, T0)).rejects.toThrow(TypeError)
    await expect(store.hit('k', 1, 60, Number.NaN)).rejects.toThrow(TypeError)
  })
})

if (REDIS_URL === undefined || REDIS_URL === '') {
  serviceNotConfigured('Redis throttle store', ['TESSERA_TEST_REDIS_URL'])
} else {
  describeRedis(REDIS_URL)
}

function describeRedis(url: string): void {
  describe('RedisThrottleStore on Redis', () => {
    const clients: Redis[] = []
    let admin: Redis

    // Connects or throws: an unreachable TESSERA_TEST_REDIS_URL fails the suite.
    async function open(target = url, options: RedisOptions = {}): Promise<Redis> {
      const client = new Redis(target, {
        lazyConnect: true,
        connectTimeout: 2000,
        maxRetriesPerRequest: 1,
        ...options,
      })
      client.on('error', () => {})
      clients.push(client)
      await client.connect()
      return client
    }

    beforeAll(async () => {
      admin = await open()
      await admin.ping()
    })

    afterAll(async () => {
      if (admin?.status === 'ready') {
        let cursor = '0'
        do {
          const [next, keys] = await admin.scan(cursor, 'MATCH', `${RUN_PREFIX}*`, 'COUNT', 500)
          if (keys.length > 0) await admin.del(...keys)
          cursor = next
        } while (cursor !== '0')
      }
      for (const client of clients) {
        if (client.status === 'ready') await client.quit()
        else client.disconnect()
      }
    })

    describeThrottleStore(
      'RedisThrottleStore',
      () => new RedisThrottleStore(admin, { prefix: freshPrefix(), fallback: NO_FALLBACK }),
    )

    it('keeps one limit across two clients: 100 concurrent hits, limit 10 -> exactly 10', async () => {
      const prefix = freshPrefix()
      const stores = [
        new RedisThrottleStore(await open(), { prefix, fallback: NO_FALLBACK }),
        new RedisThrottleStore(await open(), { prefix, fallback: NO_FALLBACK }),
      ]
      const decisions = await Promise.all(
        Array.from({ length: 100 }, async (_, index) => stores[index % 2]?.hit('race', 10, 60, T0)),
      )
      expect(decisions.filter((d) => d?.allowed)).toHaveLength(10)
      expect(await admin.zcard(`${prefix}race`)).toBe(10)
    })

    it('decides exactly as MemoryThrottleStore on random traffic (lowered limits, clock steps back)', async () => {
      let seed = 7
      const random = () => {
        seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
        return seed / 2 ** 31
      }
      const redis = new RedisThrottleStore(admin, { prefix: freshPrefix(), fallback: NO_FALLBACK })
      const memory = new MemoryThrottleStore()
      const cases = [
        { key: 'a', limits: [0], windowSeconds: 60 },
        { key: 'b', limits: [1], windowSeconds: 1 },
        { key: 'c', limits: [3], windowSeconds: 10 },
        { key: 'd', limits: [20], windowSeconds: 3600 },
        { key: 'e', limits: [2, 3, 5], windowSeconds: 10 },
      ]
      for (const { key, limits, windowSeconds } of cases) {
        let now = T0
        for (let i = 0; i < 600; i++) {
          const step = random() < 0.1 ? random() * windowSeconds : random() * 3
          now += random() < 0.05 ? -random() * 2 : step
          const limit = limits[Math.floor(random() * limits.length)] ?? 0
          const expected = memory.hit(key, limit, windowSeconds, now)
          expect(await redis.hit(key, limit, windowSeconds, now)).toEqual(expected)
        }
      }
    })

    it('stores a sorted set under the prefix that expires with its newest hit', async () => {
      const prefix = freshPrefix()
      const store = new RedisThrottleStore(admin, { prefix, fallback: NO_FALLBACK })
      await store.hit('ttl', 5, 60, T0)
      await store.hit('ttl', 5, 60, T0 + 30)
      expect(await admin.type(`${prefix}ttl`)).toBe('zset')
      const ttl = await admin.pttl(`${prefix}ttl`)
      expect(ttl).toBeGreaterThan(55_000)
      expect(ttl).toBeLessThanOrEqual(60_000)
    })

    it('loads the script with EVAL when EVALSHA answers NOSCRIPT', async () => {
      let evals = 0
      const client: RedisThrottleClient = {
        evalsha: () => Promise.reject(new Error('NOSCRIPT No matching script.')),
        eval: (script, numKeys, ...args) => {
          evals++
          return admin.eval(script, numKeys, ...args)
        },
      }
      const store = new RedisThrottleStore(client, {
        prefix: freshPrefix(),
        fallback: NO_FALLBACK,
      })
      expect((await hitMany(store, 'k', 3, 2)).filter((d) => d.allowed)).toHaveLength(2)
      expect(evals).toBe(3)
    })

    it('falls back while Redis is cut off and uses Redis again once it answers', async () => {
      const target = new URL(url)
      const proxy = await startProxy(target.hostname, Number(target.port || 6379))
      try {
        const viaProxy = new URL(url)
        viaProxy.hostname = '127.0.0.1'
        viaProxy.port = String(proxy.port)
        const client = await open(viaProxy.toString(), {
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          retryStrategy: () => 50,
        })
        const prefix = freshPrefix()
        const store = new RedisThrottleStore(client, { prefix, commandTimeoutMs: 300 })
        expect((await store.hit('k', 10, 60, T0)).allowed).toBe(true)
        expect(store.degraded).toBe(false)

        await proxy.stop()
        const during = await hitMany(store, 'k', 20, 10)
        expect(store.degraded).toBe(true)
        expect(during.filter((d) => d.allowed)).toHaveLength(5)

        await proxy.restart()
        await until(() => client.status === 'ready', 5000)
        const after = await store.hit('k', 10, 60, T0)
        expect(store.degraded).toBe(false)
        // Redis kept its count from before the outage: 1 before + this one.
        expect(after).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 8 })
        expect(await admin.zcard(`${prefix}k`)).toBe(2)
      } finally {
        await proxy.stop()
      }
    })
  })
}

// A TCP proxy in front of Redis that can be cut off and restored on the same port.
async function startProxy(host: string, port: number) {
  const sockets = new Set<Socket>()
  let server: Server | undefined
  let listenPort = 0
  const listen = async () => {
    const next = createServer((socket) => {
      const upstream = tcpConnect(port, host)
      for (const end of [socket, upstream]) {
        sockets.add(end)
        end.on('error', () => {
          socket.destroy()
          upstream.destroy()
        })
        end.on('close', () => sockets.delete(end))
      }
      socket.pipe(upstream).pipe(socket)
    })
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject)
      next.listen(listenPort, '127.0.0.1', () => resolve())
    })
    const address = next.address()
    if (address !== null && typeof address === 'object') listenPort = address.port
    server = next
  }
  await listen()
  return {
    port: listenPort,
    restart: listen,
    async stop() {
      const current = server
      server = undefined
      for (const socket of sockets) socket.destroy()
      if (current !== undefined) await new Promise((resolve) => current.close(resolve))
    },
  }
}
