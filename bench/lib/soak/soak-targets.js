// The soak's two deployments, started with the bench's helpers (bench/lib/tessera.js):
// (a) `tessera serve --workers 2` on SQLite, (b) two `tessera serve` on one PostgreSQL database
// (fresh, dropped after) sharing Redis (a key prefix of their own, its keys deleted after).
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import path from 'node:path'
import { createPostgresStores } from '@tessera/core/postgres'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'
import { createBenchDatabase, postgresAdminUrl } from '../postgres.js'
import { freePort, onCleanup } from '../processes.js'
import { prepareInstance, startTessera } from '../tessera.js'

// pg and ioredis are dependencies of @tessera/server, not of the repository root.
const require = createRequire(new URL('../../../packages/server/package.json', import.meta.url))

const THROTTLES = [
  'ANON',
  'USER',
  'LOGIN_USERNAME',
  'LOGIN_IP',
  'REGISTER',
  'MFA_TOKEN',
  'MFA_USER',
  'MAIL_IP',
  'MAIL_EMAIL',
]

/** Every throttle off: a bench's whole load comes from one address, and they would refuse it. */
export const THROTTLES_OFF = Object.freeze(
  Object.fromEntries(THROTTLES.map((name) => [`TESSERA_THROTTLE_${name}`, 'off'])),
)

/**
 * The soak's settings: every throttle off (the whole load comes from one address and would be
 * refused by them), mail over SMTP to the sink, metrics on a port of their own. Everything else
 * is `tessera serve`'s default, the access log included.
 */
export function soakSettings({ smtpPort, metricsPort }) {
  return {
    ...THROTTLES_OFF,
    TESSERA_EMAIL_BACKEND: 'smtp',
    TESSERA_EMAIL_HOST: '127.0.0.1',
    TESSERA_EMAIL_PORT: String(smtpPort),
    TESSERA_METRICS_PORT: String(metricsPort),
  }
}

/** (a): one `tessera serve --workers 2` on a fresh SQLite data dir. */
export async function startSqliteTarget({ smtpPort }) {
  const instance = await prepareInstance('soak-sqlite', { seedUsers: false })
  const metricsPort = await freePort()
  const server = await startTessera(instance, {
    workers: 2,
    label: 'sqlite --workers 2',
    env: soakSettings({ smtpPort, metricsPort }),
  })
  return {
    title: '(a) tessera serve --workers 2, SQLite',
    urls: [server.url],
    // Probed twice on fresh connections: the primary hands connections to its workers in turn.
    probesPerUrl: 2,
    stop: () => server.stop(),
    servers: [
      {
        label: 'sqlite',
        pid: server.pid,
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
        processes: 2,
      },
    ],
    async openStores() {
      const database = await openSqliteDatabase(path.join(instance.dataDir, 'tessera.sqlite3'))
      const stores = await createSqliteStores({ database, migrate: false })
      return { stores, close: async () => database.close() }
    },
  }
}

/** The Redis the soak shares (TESSERA_BENCH_REDIS_URL, else the test suite's, else local). */
const redisUrl = () =>
  process.env.TESSERA_BENCH_REDIS_URL ??
  process.env.TESSERA_TEST_REDIS_URL ??
  'redis://127.0.0.1:6379'

/** Deletes every key under `prefix` when the run ends. */
export function deleteRedisKeysAtCleanup(url, prefix) {
  onCleanup(`Redis keys ${prefix}*`, async () => {
    const { Redis } = require('ioredis')
    const redis = new Redis(url, { lazyConnect: true })
    await redis.connect()
    try {
      let cursor = '0'
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000)
        if (keys.length > 0) await redis.del(...keys)
        cursor = next
      } while (cursor !== '0')
    } finally {
      redis.disconnect()
    }
  })
}

/** (b): two `tessera serve` on one fresh PostgreSQL database, the revocation bus on Redis. */
export async function startPostgresTarget({ smtpPort }) {
  const adminUrl = postgresAdminUrl() ?? 'postgres://postgres@127.0.0.1:5432/test'
  const databaseUrl = await createBenchDatabase(adminUrl)
  const prefix = `tessera_soak_${randomBytes(6).toString('hex')}:`
  const url = redisUrl()
  deleteRedisKeysAtCleanup(url, prefix)
  const instance = await prepareInstance('soak-postgres', { databaseUrl })
  const servers = []
  const started = []
  for (const n of [1, 2]) {
    const metricsPort = await freePort()
    const server = await startTessera(instance, {
      label: `postgres-${n}`,
      env: {
        ...soakSettings({ smtpPort, metricsPort }),
        TESSERA_REDIS_URL: url,
        TESSERA_REDIS_PREFIX: prefix,
      },
    })
    started.push(server)
    servers.push({
      label: `postgres-${n}`,
      pid: server.pid,
      metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      processes: 1,
    })
  }
  return {
    title: '(b) two tessera serve, PostgreSQL + Redis',
    urls: started.map((server) => server.url),
    probesPerUrl: 1,
    async stop() {
      for (const server of started) await server.stop()
    },
    servers,
    async openStores() {
      const pg = require('pg')
      const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
      const stores = await createPostgresStores({ pool, migrate: false })
      return { stores, close: () => pool.end() }
    },
  }
}
