// What each bus costs its server while the scale bench runs, sampled every half second:
// PostgreSQL connections to the bench database and the NOTIFY queue's use; Redis's clients and
// the largest output buffer of a subscriber (Redis drops a subscriber past
// `client-output-buffer-limit pubsub`, 32 MB by default).
import { createRequire } from 'node:module'

const require = createRequire(new URL('../../../packages/server/package.json', import.meta.url))
const INTERVAL_MS = 500

/**
 * Starts sampling (`redisUrl` and the fleet's `channel` in the Redis phase); `stop()` resolves
 * to the peaks, `now()` to one sample.
 */
export async function watchBuses({ postgresUrl, database, redisUrl, channel }) {
  const pg = require('pg')
  const client = new pg.Client({ connectionString: postgresUrl })
  // The cluster may stop before this client after a failure: not worth a crash.
  client.on('error', () => {})
  await client.connect()
  let redis
  if (redisUrl !== undefined) {
    const { Redis } = require('ioredis')
    redis = new Redis(redisUrl, { lazyConnect: true })
    await redis.connect()
  }
  const sample = async () => {
    const { rows } = await client.query(
      'select count(*)::int as connections, pg_notification_queue_usage() as queue from pg_stat_activity where datname = $1',
      [database],
    )
    const result = { connections: rows[0].connections, queue: Number(rows[0].queue) }
    if (redis !== undefined) {
      const [, count] = await redis.pubsub('NUMSUB', channel)
      result.subscribers = Number(count)
      // CLIENT LIST does not name channels: the largest buffer of any subscriber of the server.
      const list = await redis.client('LIST')
      const subscribers = list.split('\n').filter((line) => / sub=[1-9]/.test(line))
      result.omem = Math.max(
        0,
        ...subscribers.map((line) => Number(/ omem=(\d+)/.exec(line)?.[1] ?? 0)),
      )
    }
    return result
  }
  const peak = { connections: 0, queue: 0, subscribers: 0, omem: 0 }
  let stopped = false
  let timer
  const loop = async () => {
    if (stopped) return
    try {
      const now = await sample()
      for (const key of Object.keys(now)) peak[key] = Math.max(peak[key], now[key])
    } catch {
      // A missed sample only lowers the peak's resolution.
    }
    timer = setTimeout(loop, INTERVAL_MS)
  }
  await loop()
  return {
    now: sample,
    async stop() {
      stopped = true
      clearTimeout(timer)
      await client.end()
      redis?.disconnect()
      return peak
    },
  }
}
