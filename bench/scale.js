// Scale, simulated (issue 31, item 5): N instances of `tessera serve` (default 20) on one
// machine sharing a PostgreSQL database, first with the revocation bus on PostgreSQL
// LISTEN/NOTIFY, then on Redis pub/sub. For each bus: the propagation of 200 logouts (a logout
// on one instance, the access token refused on all), each instance's memory holding 300,000
// revoked entries, and what the bus costs (connections, NOTIFY queue, subscriber buffers).
// Exits 1 when an instance never refused a logged-out token. Run it on a quiet machine, once.
// Usage: npm run bench:scale -- [--instances 20] [--logouts 200] [--entries 300000]
//   [--via store|bus] [--rate EVENTS_PER_S] [--write]
import { randomBytes } from 'node:crypto'
import { createRequire } from 'node:module'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { createPostgresStores } from '@tessera/core/postgres'
import { createBenchDatabase } from './lib/postgres.js'
import { cleanupAll, onCleanup } from './lib/processes.js'
import { watchBuses } from './lib/scale/bus-watch.js'
import { startPrivatePostgres } from './lib/scale/private-postgres.js'
import { measurePropagation, registerScaleUser } from './lib/scale/propagation.js'
import { floodRevocations } from './lib/scale/revocation-flood.js'
import { startFleet, stopFleet } from './lib/scale/scale-fleet.js'
import { phaseSummary, propagationSummary, scaleReport } from './lib/scale/scale-report.js'
import { deleteRedisKeysAtCleanup } from './lib/soak/soak-targets.js'
import { prepareInstance, requireBuiltServer } from './lib/tessera.js'

const require = createRequire(new URL('../packages/server/package.json', import.meta.url))
const log = (message) => process.stderr.write(`${message}\n`)
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')

const { values } = parseArgs({
  options: {
    instances: { type: 'string', default: '20' },
    logouts: { type: 'string', default: '200' },
    entries: { type: 'string', default: '300000' },
    rate: { type: 'string', default: '0' },
    via: { type: 'string', default: 'store' },
    write: { type: 'boolean', default: false },
  },
})
const INSTANCES = Number(values.instances)
const LOGOUTS = Number(values.logouts)
const ENTRIES = Number(values.entries)
/**
 * Events a second the entries are published at (100 sessions each). Unpaced, 3,000 events
 * overran 20 instances on 2 busy cores: every LISTEN heartbeat timed out behind the backlog.
 */
const RATE = Number(values.rate)
/**
 * How the entries reach the instances: `store` (written, then read by every instance at its
 * reconcile, every 30 s), or `bus` (written, then published: on 2 busy cores 20 instances could
 * not keep up, see the report).
 */
const VIA = values.via
/** How long after the last publish every instance may take to hold them all. */
const SETTLE_MS = 180_000
const REDIS_URL =
  process.env.TESSERA_BENCH_REDIS_URL ??
  process.env.TESSERA_TEST_REDIS_URL ??
  'redis://127.0.0.1:6379'

/** `publish(payloads)` for PostgreSQL: NOTIFYs in one statement, on one connection. */
function postgresPublisher(databaseUrl) {
  const pg = require('pg')
  const client = new pg.Client({ connectionString: databaseUrl })
  client.on('error', () => {})
  const connected = client.connect()
  onCleanup('scale NOTIFY publisher', () => client.end())
  return async (payloads) => {
    await connected
    await client.query('select pg_notify($1, p) from unnest($2::text[]) as p', [
      'tessera_revocations',
      payloads,
    ])
  }
}

/** `record(events)`: the revocations written with the stores' own code, each at its time. */
function storeRecorder(databaseUrl) {
  const pg = require('pg')
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 })
  onCleanup('scale store writer', () => pool.end())
  const stores = createPostgresStores({ pool, migrate: false })
  return async (events) => {
    const { revocations } = await stores
    const now = Math.floor(Date.now() / 1000)
    await Promise.all(events.map((event) => revocations.revokeSessions(event, now)))
  }
}

/** `publish(payloads)` for Redis: PUBLISH on the fleet's channel, pipelined. */
function redisPublisher(prefix) {
  const { Redis } = require('ioredis')
  const redis = new Redis(REDIS_URL, { lazyConnect: true })
  const connected = redis.connect()
  onCleanup('scale Redis publisher', () => redis.disconnect())
  return async (payloads) => {
    await connected
    const pipeline = redis.pipeline()
    for (const payload of payloads) pipeline.publish(`${prefix}revocations`, payload)
    await pipeline.exec()
  }
}

async function runBus(bus, postgres) {
  // A database per bus: the second fleet must not start with the first one's revocations.
  const databaseUrl = await createBenchDatabase(postgres.url)
  const instance = await prepareInstance(`scale-${bus}`, { databaseUrl })
  log(`\n== ${bus}: starting ${INSTANCES} instances (load average ${load()})`)
  const prefix = `tessera_scale_${randomBytes(6).toString('hex')}:`
  if (bus === 'redis') deleteRedisKeysAtCleanup(REDIS_URL, prefix)
  const env = bus === 'redis' ? { TESSERA_REDIS_URL: REDIS_URL, TESSERA_REDIS_PREFIX: prefix } : {}
  const fleet = await startFleet(instance, INSTANCES, { name: bus, env, log })
  try {
    const database = new URL(databaseUrl).pathname.slice(1)
    const watch = await watchBuses({
      postgresUrl: postgres.url,
      database,
      redisUrl: bus === 'redis' ? REDIS_URL : undefined,
      channel: `${prefix}revocations`,
    })
    const idle = await watch.now()
    log(`  idle: ${idle.connections} PostgreSQL connections to the database`)
    const credentials = await registerScaleUser(fleet[0])
    const loadBefore = load()
    const propagation = await measurePropagation({ fleet, count: LOGOUTS, credentials, log })
    log(`  ${bus} propagation: ${propagationSummary(propagation)}`)
    const peakPropagation = await watch.stop()
    log(`  ${ENTRIES} revoked entries (${VIA})`)
    const floodWatch = await watchBuses({
      postgresUrl: postgres.url,
      database,
      redisUrl: bus === 'redis' ? REDIS_URL : undefined,
      channel: `${prefix}revocations`,
    })
    const publish = bus === 'redis' ? redisPublisher(prefix) : postgresPublisher(databaseUrl)
    const flood = await floodRevocations({
      fleet,
      entries: ENTRIES,
      rate: RATE,
      settleMs: SETTLE_MS,
      record: storeRecorder(databaseUrl),
      publish: VIA === 'bus' ? publish : undefined,
      log,
    })
    const peakFlood = await floodWatch.stop()
    const result = {
      bus,
      idle,
      propagation,
      peakPropagation,
      flood,
      peakFlood,
      loadBefore,
      loadAfter: load(),
    }
    // Said at once, so a later failure does not lose this bus's figures.
    log(`  ${bus}: ${phaseSummary(result)}`)
    return result
  } finally {
    await stopFleet(fleet)
  }
}

async function main() {
  requireBuiltServer()
  const loadAtStart = load()
  log(`load average at start: ${loadAtStart}`)
  const postgres = await startPrivatePostgres({ maxConnections: 300 })
  const results = []
  for (const bus of ['postgres', 'redis']) results.push(await runBus(bus, postgres))
  const command = `npm run bench:scale -- ${process.argv.slice(2).join(' ')}`.trim()
  const { markdown, pass } = scaleReport({
    results,
    instances: INSTANCES,
    logouts: LOGOUTS,
    entries: ENTRIES,
    rate: RATE,
    via: VIA,
    maxConnections: postgres.maxConnections,
    command,
    loadAtStart,
  })
  process.stdout.write(`\n${markdown}\n`)
  if (values.write) {
    const { writeFileSync } = await import('node:fs')
    const file = new URL('../docs/bench/scale.md', import.meta.url)
    writeFileSync(file, `${markdown}\n`)
    log('wrote docs/bench/scale.md')
  }
  return pass ? 0 : 1
}

let code = 1
try {
  code = await main()
} catch (error) {
  log(`bench:scale failed: ${error.stack ?? error.message}`)
} finally {
  await cleanupAll()
}
process.exit(code)
