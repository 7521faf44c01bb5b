import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../../../core/test/service-gate.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import {
  killServedTessera,
  requireBuiltCli,
  type ServedTessera,
  serveTessera,
} from './run-tessera.js'
import {
  createTestDatabase,
  helloStatus,
  millisUntilStatus,
  POSTGRES_URL,
  type PrivateRedis,
  postJson,
  privateRedis,
  REDIS_URL,
  type TestDatabase,
} from './service-fixtures.js'

// Issue 5's fault test: Redis dies while two instances serve. No revoked token may be accepted
// at any moment, and requests resume when Redis is back. The Redis here is a private
// redis-server, so killing it leaves the machine's Redis to the other suites.

const tempDir = useTempDirs()
const PASSWORD = 'correct horse battery staple'

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

/** Polls `GET /readyz` until it answers `status`, or fails after `limitMs`. */
async function waitForReadiness(server: ServedTessera, status: number, limitMs: number) {
  const deadline = performance.now() + limitMs
  while (performance.now() < deadline) {
    const response = await fetch(`${server.url}/readyz`)
    await response.arrayBuffer()
    if (response.status === status) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error(`/readyz did not answer ${status} within ${limitMs} ms`)
}

/** One request of the watcher: which token, where, sent when, answered what. */
interface Probe {
  readonly token: string
  readonly sentAt: number
  readonly status: number
}

/**
 * Sends `hello` with each token to each server in a loop until stopped, recording every answer:
 * the evidence that no revoked token got through at any moment of the outage.
 */
function watch(servers: readonly ServedTessera[], tokens: readonly string[]) {
  const probes: Probe[] = []
  let running = true
  const loop = (async () => {
    while (running) {
      for (const server of servers) {
        for (const token of tokens) {
          const sentAt = performance.now()
          // A refused connection (a server killed by a failing test) ends the watch.
          const status = await helloStatus(server.url, token).catch(() => 0)
          probes.push({ token, sentAt, status })
          if (status === 0) running = false
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  })()
  return {
    probes,
    async stop() {
      running = false
      await loop
    },
  }
}

if (POSTGRES_URL === undefined || REDIS_URL === undefined) {
  describe('Redis outage while instances serve', () => {
    serviceNotConfigured('fault test', ['TESSERA_TEST_POSTGRES_URL', 'TESSERA_TEST_REDIS_URL'])
  })
} else {
  const serverUrl = POSTGRES_URL
  describe('Redis outage while two instances serve', () => {
    let database: TestDatabase
    let redis: PrivateRedis

    beforeAll(async () => {
      database = await createTestDatabase(serverUrl)
      redis = await privateRedis()
      await redis.start()
    }, 30_000)
    afterAll(async () => {
      await redis?.kill()
      await database?.drop()
    }, 30_000)

    async function instance(): Promise<ServedTessera> {
      const cwd = tempDir()
      const served = await serveTessera([], {
        cwd,
        env: {
          TESSERA_DATA_DIR: join(cwd, 'data'),
          TESSERA_DATABASE_URL: database.url,
          TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
          TESSERA_REDIS_URL: redis.url,
        },
      })
      expect(served.output()).toContain('revocation bus: Redis')
      return served
    }

    async function login(server: ServedTessera) {
      const response = await postJson(`${server.url}/api/token/`, {
        username: 'mary',
        password: PASSWORD,
      })
      expect(response.status).toBe(200)
      return response.body as { access: string; refresh: string }
    }

    async function logout(server: ServedTessera, pair: { access: string; refresh: string }) {
      return postJson(
        `${server.url}/api/token/blacklist/`,
        { refresh: pair.refresh },
        { authorization: `Bearer ${pair.access}` },
      )
    }

    it('never accepts a revoked token, fails closed with 503, and resumes when Redis returns', async () => {
      const [a, b] = await Promise.all([instance(), instance()])
      const registered = await postJson(`${a.url}/api/register/`, {
        username: 'mary',
        password: PASSWORD,
      })
      expect(registered.status).toBe(201)
      const before = await login(a)
      const during = await login(a)
      const kept = await login(b)

      expect((await logout(a, before)).status).toBe(200)
      await millisUntilStatus(b.url, before.access, 401, 1000)
      const watcher = watch([a, b], [before.access, during.access])

      await redis.kill()
      const killedAt = performance.now()
      // Both instances notice the lost connection and refuse every token until caught up.
      await Promise.all([waitForReadiness(a, 503, 5000), waitForReadiness(b, 503, 5000)])
      const refused = await fetch(`${b.url}/api/hello/`, {
        headers: { authorization: `Bearer ${kept.access}` },
      })
      expect(refused.status).toBe(503)
      expect(refused.headers.get('retry-after')).toBe('1')
      expect(refused.headers.get('www-authenticate')).toBeNull()
      expect(await refused.json()).toEqual({
        detail: 'Service temporarily unavailable, try again later.',
        code: 'service_unavailable',
      })

      // A logout during the outage: stored in PostgreSQL, not broadcast; it still succeeds.
      const duringLogout = await logout(a, during)
      expect(duringLogout).toEqual({ status: 200, body: {} })
      const loggedOutAt = performance.now()

      const restartedAt = performance.now()
      await redis.start()
      await Promise.all([waitForReadiness(a, 200, 20_000), waitForReadiness(b, 200, 20_000)])
      await watcher.stop()

      for (const server of [a, b]) {
        expect(await helloStatus(server.url, kept.access)).toBe(200)
        expect(await helloStatus(server.url, before.access)).toBe(401)
        expect(await helloStatus(server.url, during.access)).toBe(401)
      }
      const accepted = watcher.probes.filter(
        (probe) =>
          probe.status === 200 &&
          (probe.token === before.access || probe.sentAt >= loggedOutAt - 1),
      )
      expect(accepted).toEqual([])
      expect(watcher.probes.filter((probe) => probe.status === 0)).toEqual([])
      // The watcher did watch the outage (requests sent while Redis was dead), then 401s.
      const duringOutage = watcher.probes.filter(
        (probe) => probe.sentAt > killedAt && probe.sentAt < restartedAt,
      )
      expect(duringOutage.length).toBeGreaterThan(0)
      expect(new Set(watcher.probes.map((probe) => probe.status)).has(401)).toBe(true)
    }, 90_000)
  })
}
