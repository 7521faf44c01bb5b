import cluster from 'node:cluster'
import {
  InProcessRevocationBus,
  type RevocationBus,
  ServiceUnavailableError,
  type ThrottleStore,
} from '@tessera/core'
import { ClusterRevocationBus } from '../cluster/cluster-revocation-bus.js'
import type { DatabaseLocation } from '../settings/database-url-spec.js'
import { describeRedisUrl } from '../settings/redis-url-spec.js'
import type { ServerSettings } from '../settings/server-settings.js'
import { ignoreCheckedOutErrors } from '../stores/postgres-pool.js'

/** What the processes of one deployment share besides the database: the bus, maybe counters. */
export interface Backplane {
  readonly bus: RevocationBus
  /** Throttle counters shared by every instance (Redis); undefined: per process. */
  readonly throttleStore?: ThrottleStore
  /** For the start-up line, e.g. `Redis redis://cache:6379`; never a password. */
  readonly description: string
  close(): Promise<void>
}

/** Options of {@link openBackplane}. */
export interface BackplaneOptions {
  /** Connection errors, malformed events, failed throttle calls: never credentials. */
  readonly onError: (error: unknown) => void
}

/** How long start-up waits for Redis before giving up, in ms. */
const REDIS_CONNECT_TIMEOUT_MS = 5000

/**
 * Opens the revocation bus the configuration calls for (architecture.md, Scaling out):
 * `REDIS_URL` set: Redis pub/sub, and Redis throttle counters; else PostgreSQL: LISTEN/NOTIFY;
 * else node:cluster IPC in a `--workers` worker, or in-process. Rejects when Redis or
 * PostgreSQL cannot be reached at start: a server that cannot hear revocations must not serve.
 */
export async function openBackplane(
  settings: Pick<ServerSettings, 'REDIS_URL' | 'REDIS_PREFIX'>,
  database: DatabaseLocation,
  options: BackplaneOptions,
): Promise<Backplane> {
  if (settings.REDIS_URL !== undefined) {
    return openRedisBackplane(settings.REDIS_URL, settings.REDIS_PREFIX, options)
  }
  if (database.kind === 'postgres') return openPostgresBackplane(database.url, options)
  const bus = cluster.isWorker
    ? new ClusterRevocationBus({ onError: options.onError })
    : new InProcessRevocationBus()
  return {
    bus,
    description: cluster.isWorker ? 'worker IPC' : 'in-process',
    close: () => bus.close(),
  }
}

async function openRedisBackplane(
  url: string,
  prefix: string,
  options: BackplaneOptions,
): Promise<Backplane> {
  const [{ Redis }, { createRedisRevocationBus }, { RedisThrottleStore }] = await Promise.all([
    import('ioredis'),
    import('@tessera/core/redis-bus'),
    import('@tessera/core/redis-throttle'),
  ])
  const common = { lazyConnect: true, connectTimeout: REDIS_CONNECT_TIMEOUT_MS }
  // Commands fail at once while disconnected (no offline queue): a throttle hit goes to the
  // stricter per-process fallback, a publish is retried by the sync once the bus is back.
  const publisher = new Redis(url, {
    ...common,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
  })
  const subscriber = new Redis(url, common)
  for (const client of [publisher, subscriber]) client.on('error', options.onError)
  const quit = () => {
    publisher.disconnect()
    subscriber.disconnect()
  }
  try {
    await withTimeout(Promise.all([publisher.connect(), subscriber.connect()]), url)
    const bus = await withTimeout(
      createRedisRevocationBus({
        publisher,
        subscriber,
        channel: `${prefix}revocations`,
        onError: options.onError,
      }),
      url,
    )
    const throttleStore = new RedisThrottleStore(publisher, {
      prefix: `${prefix}throttle:`,
      onError: options.onError,
    })
    return {
      bus,
      throttleStore,
      description: `Redis ${describeRedisUrl(url)}`,
      async close() {
        await bus.close()
        quit()
      },
    }
  } catch (error) {
    quit()
    throw error instanceof ServiceUnavailableError ? error : unreachable(url, error)
  }
}

async function openPostgresBackplane(url: string, options: BackplaneOptions): Promise<Backplane> {
  const [{ default: pg }, { createPostgresRevocationBus }] = await Promise.all([
    import('pg'),
    import('@tessera/core/postgres-bus'),
  ])
  // Its own small pool: NOTIFY must not wait behind the stores' queries in a busy pool.
  const pool = new pg.Pool({ connectionString: url, max: 2 })
  pool.on('error', options.onError)
  ignoreCheckedOutErrors(pool)
  try {
    const bus = await createPostgresRevocationBus({
      pool,
      connect: async () => {
        const client = new pg.Client({ connectionString: url })
        client.on('error', options.onError)
        await client.connect()
        return client
      },
      onError: options.onError,
    })
    return {
      bus,
      description: 'PostgreSQL LISTEN/NOTIFY',
      async close() {
        await bus.close()
        await pool.end()
      },
    }
  } catch (error) {
    await pool.end()
    throw new ServiceUnavailableError(
      `cannot listen for revocations on PostgreSQL (${errorCode(error)})`,
    )
  }
}

function withTimeout<T>(promise: Promise<T>, url: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(unreachable(url, Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }))),
      REDIS_CONNECT_TIMEOUT_MS,
    )
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function unreachable(url: string, error: unknown): ServiceUnavailableError {
  return new ServiceUnavailableError(
    `cannot reach Redis at ${describeRedisUrl(url)} (${errorCode(error)})`,
  )
}

/** A driver's error code (ECONNREFUSED...), never its message, which may quote credentials. */
function errorCode(error: unknown): string {
  const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : 'error'
}
