// Authenticated request throughput of the real server (`tessera serve`, SQLite) with 1,000,000
// revoked access-token jtis in its revocation view vs none, both servers up in the same run,
// rounds alternating (none revoked none revoked ...), medians; plus the heap cost of one revoked
// jti in a RevocationView (a separate --expose-gc process) and each server's RSS.
// Run: npm run bench -w @tessera/server            (prints the table)
//      npm run bench -w @tessera/server -- --write (also rewrites packages/server/BENCHMARKS.md)
// Options: --seconds N (per round, default 5), --rounds N (per server, default 5),
//          --revoked N (jtis seeded, default 1000000).
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import {
  helloStatus,
  migrate,
  newInstance,
  registerAndLogin,
  removeDataDir,
  requireBuiltCli,
  rssOf,
  seedRevokedTokens,
  signAccessToken,
  startServer,
} from './bench-server.js'

const { values: options } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '5' },
    revoked: { type: 'string', default: '1000000' },
    write: { type: 'boolean', default: false },
  },
})
const ROUND_SECONDS = Number(options.seconds)
const ROUNDS = Number(options.rounds)
const REVOKED = Number(options.revoked)
const WARMUP_SECONDS = 3
const CONCURRENCY = 32
const GOAL_LOSS = 0.05
for (const [name, value] of [
  ['--seconds', ROUND_SECONDS],
  ['--rounds', ROUNDS],
  ['--revoked', REVOKED],
]) {
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a number > 0`)
}

const log = (message) => process.stderr.write(`${message}\n`)
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]

/**
 * GET /api/hello/ with the bearer token from CONCURRENCY keep-alive request loops for `seconds`;
 * returns 200 responses per second. Any other status fails the bench.
 */
async function load(server, seconds) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const target = new URL('/api/hello/', server.url)
  const headers = { authorization: `Bearer ${server.access}` }
  const start = performance.now()
  const deadline = start + seconds * 1000
  let ok = 0
  const once = () =>
    new Promise((resolve, reject) => {
      const req = http.get(target, { agent, headers }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`${server.name}: GET /api/hello/ answered ${res.statusCode}`))
        }
        res.on('data', () => {})
        res.on('end', resolve)
        res.on('error', reject)
      })
      req.on('error', reject)
    })
  const loop = async () => {
    while (performance.now() < deadline) {
      await once()
      ok++
    }
  }
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, loop))
  } finally {
    agent.destroy()
  }
  return (ok * 1000) / (performance.now() - start)
}

/** Checks the revoked server refuses seeded jtis and both accept fresh ones (and the token). */
async function verifyRevocations(none, revoked, seededJtis) {
  for (const server of [none, revoked]) {
    const fresh = signAccessToken(server.signingKey, {
      jti: randomBytes(16).toString('base64url'),
      userId: server.userId,
    })
    const statuses = [await helloStatus(server, server.access), await helloStatus(server, fresh)]
    if (statuses.some((status) => status !== 200)) {
      throw new Error(`${server.name}: login/fresh tokens answered ${statuses.join(', ')}`)
    }
  }
  for (const jti of seededJtis) {
    const onRevoked = await helloStatus(
      revoked,
      signAccessToken(revoked.signingKey, { jti, userId: revoked.userId }),
    )
    const onNone = await helloStatus(
      none,
      signAccessToken(none.signingKey, { jti, userId: none.userId }),
    )
    if (onRevoked !== 401 || onNone !== 200) {
      throw new Error(
        `seeded jti ${jti}: the revoked server answered ${onRevoked} (expected 401), ` +
          `the other ${onNone} (expected 200)`,
      )
    }
  }
}

/** Heap bytes per revoked jti held by a RevocationView, from a --expose-gc child process. */
function measureViewMemory(count) {
  const script = fileURLToPath(new URL('./revocation-memory.js', import.meta.url))
  const out = execFileSync(process.execPath, ['--expose-gc', script, String(count)], {
    encoding: 'utf8',
  })
  return JSON.parse(out.trim().split('\n').at(-1))
}

async function run() {
  requireBuiltCli()
  const instances = [newInstance('none'), newInstance('revoked')]
  const servers = []
  try {
    for (const instance of instances) migrate(instance)
    log(`seeding ${REVOKED.toLocaleString('en-US')} revoked access tokens ...`)
    const seedStart = performance.now()
    const seededJtis = seedRevokedTokens(instances[1], REVOKED)
    const seedMs = performance.now() - seedStart
    for (const instance of instances) {
      const server = await startServer(instance)
      servers.push(server)
      log(`${server.name}: listening on ${server.url} after ${Math.round(server.startupMs)} ms`)
    }
    for (const server of servers) Object.assign(server, await registerAndLogin(server))
    const [none, revoked] = servers
    await verifyRevocations(none, revoked, seededJtis)
    log(`the revoked server refuses ${seededJtis.length} sampled seeded jtis (401)`)

    for (const server of servers) await load(server, WARMUP_SECONDS)
    const samples = new Map(servers.map((server) => [server.name, []]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const server of servers) {
        const rate = await load(server, ROUND_SECONDS)
        samples.get(server.name).push(rate)
        log(`round ${round + 1}/${ROUNDS} ${server.name}: ${Math.round(rate)} req/s`)
      }
    }
    const rss = Object.fromEntries(servers.map((server) => [server.name, rssOf(server.child.pid)]))
    // Still refused after the load: the view kept them.
    await verifyRevocations(none, revoked, seededJtis.slice(0, 1))
    log('measuring the RevocationView heap per jti ...')
    const memory = measureViewMemory(REVOKED)
    return {
      none: median(samples.get('none')),
      revoked: median(samples.get('revoked')),
      samples,
      startup: { none: none.startupMs, revoked: revoked.startupMs },
      seedMs,
      rss,
      memory,
    }
  } finally {
    for (const server of servers) await server.stop()
    for (const instance of instances) removeDataDir(instance)
  }
}

const fmt = (n) => Math.round(n).toLocaleString('en-US')
const mib = (bytes) => (bytes === undefined ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MiB`)
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`

const result = await run()
const ratio = result.revoked / result.none
const loss = 1 - ratio
// Each revoked round over the none round just before it: less sensitive to slow drifts in load.
const pairedRatio = median(
  result.samples.get('revoked').map((rate, i) => rate / result.samples.get('none')[i]),
)
const revokedLabel = `${REVOKED.toLocaleString('en-US')} revoked`
const table = [
  `| Revocation view | req/s (median of ${ROUNDS}) | Rounds (req/s) | Startup to listening | Server RSS after load |`,
  '|---|---:|---|---:|---:|',
  `| none | ${fmt(result.none)} | ${result.samples.get('none').map(fmt).join(', ')} | ${seconds(result.startup.none)} | ${mib(result.rss.none)} |`,
  `| ${revokedLabel} | ${fmt(result.revoked)} | ${result.samples.get('revoked').map(fmt).join(', ')} | ${seconds(result.startup.revoked)} | ${mib(result.rss.revoked)} |`,
  '',
  `- Ratio revoked / none (medians): ${ratio.toFixed(3)}; loss ${(loss * 100).toFixed(1)}%`,
  `- Median of the paired round ratios (revoked / the none round before it): ${pairedRatio.toFixed(3)}`,
  `- Goal loss < ${GOAL_LOSS * 100}%: ${loss < GOAL_LOSS ? 'PASS' : 'FAIL'}`,
  `- RevocationView heap per revoked jti: ${fmt(result.memory.bytesPerJti)} bytes ` +
    `(${mib(result.memory.after - result.memory.before)} for ${result.memory.count.toLocaleString('en-US')})`,
  `- Server RSS difference: ${result.rss.none === undefined || result.rss.revoked === undefined ? 'n/a' : `${mib(result.rss.revoked - result.rss.none)} (${fmt((result.rss.revoked - result.rss.none) / REVOKED)} bytes per jti)`}`,
].join('\n')
process.stdout.write(`${table}\n`)

if (options.write) {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
  const machine = `${os.availableParallelism()} cores (${cpu}), Node ${process.version}, ${os.platform()} ${os.arch()}`
  const doc = `# @tessera/server benchmarks

## Revoked access tokens

Authenticated request throughput of the real server with ${REVOKED.toLocaleString('en-US')}
revoked access-token jtis in its revocation view vs none. Two \`tessera serve\` processes run
side by side (SQLite, each its own data dir, HS256, \`TESSERA_LOG_LEVEL=warn\`); the
revoked one has the rows inserted into \`revoked_access_tokens\` before it starts (random 22-char
base64url jtis, random user ids, expiries 1 to 2 hours ahead), so it loads them into its view
at start (seeding took ${seconds(result.seedMs)}). Before the load the bench checks that sampled
seeded jtis get 401 on the revoked server and 200 on the other, with tokens signed by the
server's secret. The load is \`GET /api/hello/\` with a real access token (from
\`POST /api/token/\`), ${CONCURRENCY} concurrent keep-alive request loops in the bench process, on
the same machine. Each server gets a ${WARMUP_SECONDS} s warm-up, then ${ROUNDS} rounds of
${ROUND_SECONDS} s alternating (none revoked none revoked ...); only 200 responses count, any other
status fails the bench. The table shows medians; the goal is judged on the ratio of the medians.
The revoked server's RSS includes what loading the rows at start left committed: the store read
peaks well above what the view keeps, and V8 does not give those pages back at once.

The heap per jti is measured in a separate \`--expose-gc\` process: \`heapUsed\` after gc before
and after merging the same number of entries into a \`RevocationView\` (jti strings included).

Measured ${new Date().toISOString().slice(0, 10)} on ${machine}.

Command (from the repository root, after \`npm install\`, which builds):

\`\`\`
npm run bench -w @tessera/server -- --write
\`\`\`

${table}
`
  writeFileSync(new URL('../BENCHMARKS.md', import.meta.url), doc)
}
