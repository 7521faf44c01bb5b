import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  killServedTessera,
  requireBuiltCli,
  type ServedTessera,
  serveTessera,
} from '../cli/run-tessera.js'
import { helloStatus, type PrivateRedis, privateRedis } from '../cli/service-fixtures.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { login, type Pair, register, send, waitFor } from './fault-fixtures.js'

// Issue 31: Redis (the revocation bus and the throttle counters) stops under a server on SQLite.
// As documented (README, "Revocation everywhere"): access tokens are refused with 503 until the
// bus is back and caught up (fail closed); logins keep working and their throttles fall back to
// a per-process limit at half the rate, never to none; a logout during the outage is applied
// once Redis returns. The Redis is a private redis-server, killed with SIGKILL.
// (Two instances on PostgreSQL + Redis: test/cli/redis-outage.test.ts.)

const tempDir = useTempDirs()
const LIMIT = 4
let redis: PrivateRedis | undefined

beforeAll(requireBuiltCli)
afterEach(async () => {
  killServedTessera()
  await redis?.kill()
})

/** How many wrong-password logins as `username` answer 401 before the first 429. */
async function attemptsBeforeThrottle(served: ServedTessera, username: string): Promise<number> {
  for (let attempt = 0; attempt <= LIMIT + 1; attempt++) {
    const answer = await send(`${served.url}/api/token/`, { username, password: 'wrong guess 1' })
    if (answer.status === 429) {
      expect(answer.retryAfter).toMatch(/^\d+$/)
      return attempt
    }
    expect(answer.status).toBe(401)
  }
  throw new Error(`${username}: never throttled after ${LIMIT + 2} attempts`)
}

/** How many keys the private Redis holds (throttle counters are keyed by hashed names). */
async function redisKeys(redis: PrivateRedis): Promise<number> {
  const { Redis } = await import('ioredis')
  const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 0 })
  try {
    await client.connect()
    return await client.dbsize()
  } finally {
    client.disconnect()
  }
}

async function readiness(served: ServedTessera, status: number): Promise<void> {
  await waitFor(`/readyz ${status}`, async () =>
    (await fetch(`${served.url}/readyz`)).status === status ? true : undefined,
  )
}

describe('Redis stopped under a server', () => {
  it('fails closed on access tokens, throttles at half the limit per process, and recovers', async () => {
    redis = await privateRedis()
    await redis.start()
    const cwd = tempDir()
    const served = await serveTessera([], {
      cwd,
      env: {
        TESSERA_DATA_DIR: join(cwd, 'data'),
        TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
        TESSERA_REDIS_URL: redis.url,
        TESSERA_THROTTLE_LOGIN_USERNAME: `${LIMIT}/min`,
        TESSERA_THROTTLE_LOGIN_IP: '1000/min',
      },
    })
    expect(served.output()).toContain('revocation bus: Redis')
    await register(served.url, 'mary')
    expect(await attemptsBeforeThrottle(served, 'before')).toBe(LIMIT)
    const pair = (await login(served.url, 'mary')).body as unknown as Pair

    await redis.kill()
    await readiness(served, 503)
    // Fail closed: a live token is refused with 503 (not 401: the user is not logged out).
    const refused = await fetch(`${served.url}/api/hello/`, {
      headers: { authorization: `Bearer ${pair.access}` },
    })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(await refused.json()).toEqual({
      detail: 'Service temporarily unavailable, try again later.',
      code: 'service_unavailable',
    })
    // Throttles: the stricter per-process limit, floor(4 * 0.5) = 2, never no limit.
    expect(await attemptsBeforeThrottle(served, 'during')).toBe(LIMIT / 2)
    // Logins and logouts keep working on the store; the logout is stored, not yet broadcast.
    expect((await login(served.url, 'mary')).status).toBe(200)
    const logout = await send(
      `${served.url}/api/token/blacklist/`,
      { refresh: pair.refresh },
      { authorization: `Bearer ${pair.access}` },
    )
    expect(logout.status).toBe(200)

    await redis.start()
    await readiness(served, 200)
    // Caught up: the logout made during the outage refuses the token; new logins work.
    expect(await helloStatus(served.url, pair.access)).toBe(401)
    const fresh = (await login(served.url, 'mary')).body as unknown as Pair
    expect(await helloStatus(served.url, fresh.access)).toBe(200)
    // The throttle client reconnects on its own schedule, not the bus's: until then hits go to
    // the per-process fallback, uncounted in Redis. Once a probe's hit lands in Redis, the
    // counters are Redis's again, at the full limit.
    let probes = 0
    await waitFor('throttle hits counted in Redis again', async () => {
      const before = await redisKeys(redis as PrivateRedis)
      // A username of its own each time: a hit that reaches Redis makes a new key.
      probes += 1
      await send(`${served.url}/api/token/`, { username: `probe${probes}`, password: 'wrong 1' })
      return (await redisKeys(redis as PrivateRedis)) > before ? true : undefined
    })
    expect(await attemptsBeforeThrottle(served, 'after')).toBe(LIMIT)
  }, 60_000)
})
