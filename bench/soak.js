// Soak (issue 31, item 4): a bounded mixed load (register, login, hello, refresh, TOTP enrolment
// and second-factor logins, logout, djoser's password reset with its mail) against (a)
// `tessera serve --workers 2` on SQLite and (b) two instances on PostgreSQL + Redis, then the
// invariants: no 5xx, no lost user or session, every logged-out token refused everywhere, every
// mail sent, bounded RSS growth, event-loop delay p99 under 50 ms. Exits 1 when one fails.
// Usage: npm run soak -- [--duration 60] [--concurrency 6] [--only sqlite|postgres] [--seed N]
import { randomBytes } from 'node:crypto'
import { loadavg } from 'node:os'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { cleanupAll } from './lib/processes.js'
import { checkTarget } from './lib/soak/soak-checks.js'
import { createSoakClient, createTally } from './lib/soak/soak-client.js'
import { formatVerdicts } from './lib/soak/soak-invariants.js'
import { createLedger } from './lib/soak/soak-ledger.js'
import { runLoad } from './lib/soak/soak-load.js'
import { startMailSink } from './lib/soak/soak-mail.js'
import { monitorServers } from './lib/soak/soak-monitor.js'
import { startPostgresTarget, startSqliteTarget } from './lib/soak/soak-targets.js'
import { requireBuiltServer } from './lib/tessera.js'

const USAGE = `Usage: npm run soak -- [--duration SECONDS] [--concurrency N] [--only sqlite|postgres] [--seed N]
  --duration     seconds of load per target (default 60; CI runs 20)
  --concurrency  virtual users per target (default 6)
  --only         one target: sqlite ((a) --workers 2) or postgres ((b) 2 instances + Redis)
  --seed         seed of the virtual users' choices (default: random, printed)
Env: TESSERA_BENCH_POSTGRES_URL (or TESSERA_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test)
     names the PostgreSQL server a fresh database is made on; TESSERA_BENCH_REDIS_URL (or
     TESSERA_TEST_REDIS_URL, else redis://127.0.0.1:6379) the Redis (keys under a fresh prefix).`

const TARGETS = { sqlite: startSqliteTarget, postgres: startPostgresTarget }
const log = (message) => process.stderr.write(`${message}\n`)
const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ')

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '60' },
      concurrency: { type: 'string', default: '6' },
      only: { type: 'string' },
      seed: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  })
  const duration = Number(values.duration)
  const concurrency = Number(values.concurrency)
  if (!Number.isInteger(duration) || duration < 5)
    throw new Error(`--duration must be an integer >= 5\n${USAGE}`)
  if (!Number.isInteger(concurrency) || concurrency < 1)
    throw new Error(`--concurrency must be an integer >= 1\n${USAGE}`)
  const only = values.only === undefined ? Object.keys(TARGETS) : [values.only]
  if (!only.every((name) => name in TARGETS))
    throw new Error(`unknown --only ${values.only}\n${USAGE}`)
  const seed = values.seed === undefined ? randomBytes(4).readUInt32BE() : Number(values.seed)
  return { duration, concurrency, only, seed, help: values.help }
}

async function soak(name, options, sink) {
  const target = await TARGETS[name]({ smtpPort: sink.port })
  try {
    return await soakTarget(name, target, options, sink)
  } finally {
    // Stopped before the next target starts: the two never share the cores.
    await target.stop()
  }
}

async function soakTarget(name, target, options, sink) {
  log(`\n== ${target.title}: ${options.duration} s, ${options.concurrency} virtual users`)
  const monitor = monitorServers(target.servers)
  await monitor.reset()
  const tally = createTally()
  const ledger = createLedger()
  const client = createSoakClient(tally)
  // A control: the soak process's own event-loop delay, measured as prom-client measures the
  // servers' (10 ms resolution). When it spikes too, the machine, not the server, was busy.
  const ownDelay = monitorEventLoopDelay({ resolution: 10 })
  ownDelay.enable()
  const started = Date.now()
  const deadline = started + options.duration * 1000
  // RSS is compared from the end of the warm-up (a quarter of the run): JIT, caches and pools
  // fill first, and that growth is not a leak.
  const warm = setTimeout(() => monitor.markWarm(), (options.duration * 1000) / 4)
  const users = await runLoad({
    count: options.concurrency,
    targets: target.urls,
    deadline,
    call: client.call,
    ledger,
    mail: sink,
    runId: `${name[0]}${randomBytes(3).toString('hex')}`,
    seed: options.seed,
  })
  clearTimeout(warm)
  ownDelay.disable()
  const seconds = (Date.now() - started) / 1000
  const monitored = await monitor.finish()
  client.close()
  const requests = Object.values(tally.counts).reduce(
    (sum, byStatus) => sum + Object.values(byStatus).reduce((a, b) => a + b, 0),
    0,
  )
  log(
    `load done: ${requests} requests in ${seconds.toFixed(1)} s; checking (load average ${load()})`,
  )
  const verdicts = await checkTarget({ target, tally, ledger, users, sink, monitored })
  const statuses = Object.entries(tally.counts)
    .map(
      ([op, byStatus]) =>
        `${op} ${Object.entries(byStatus)
          .map(([s, n]) => `${s}:${n}`)
          .join('/')}`,
    )
    .join(', ')
  const header =
    `${target.title}: ${requests} requests in ${seconds.toFixed(1)} s (${(requests / seconds).toFixed(0)}/s), ` +
    `${options.concurrency} virtual users, seed ${options.seed}\n  answers: ${statuses}\n` +
    `  control: the soak client's own event-loop delay p99 over the run ${(ownDelay.percentile(99) / 1e6).toFixed(1)} ms`
  return formatVerdicts(header, verdicts)
}

async function main() {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) {
    log(USAGE)
    return 0
  }
  requireBuiltServer()
  log(`load average before: ${load()} (2-core machine: other work on it shows in the figures)`)
  const sink = await startMailSink()
  const results = []
  for (const name of options.only) {
    try {
      results.push(await soak(name, options, sink))
    } catch (error) {
      results.push({ text: `${name}: FAILED to run: ${error.stack ?? error}`, pass: false })
    }
  }
  const pass = results.every((r) => r.pass)
  process.stdout.write(
    `\n${results.map((r) => r.text).join('\n\n')}\n\nload average after: ${load()}\nsoak ${pass ? 'PASSED' : 'FAILED'}\n`,
  )
  return pass ? 0 : 1
}

let code = 1
try {
  code = await main()
} catch (error) {
  log(`soak failed: ${error.message}`)
} finally {
  await cleanupAll()
}
process.exit(code)
