// The memory of 300,000 revoked entries: the steady state of 1,000 logouts a second with
// 5-minute access tokens. The entries are published on the bus itself, as the events a logout
// everywhere sends (100 session ids each, the most one event carries), with expiries spread over
// 300 seconds as a steady state would hold them; each instance's view gauge says when it has
// them all, then its RSS (/proc) and V8 heap (its metrics) are read.
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { performance } from 'node:perf_hooks'
import { serializeRevocationEvent } from '@tessera/core'
import { rssOf } from '../../../packages/server/bench/bench-server.js'
import { metricValue, scrape } from '../prometheus.js'

/** The most session ids one event carries (core's MAX_SESSIONS_PER_EVENT, not exported). */
const MAX_SESSIONS_PER_EVENT = 100
const SESSIONS = 'tessera_revocation_view_entries'
const HEAP_USED = 'tessera_nodejs_heap_size_used_bytes'
/** How long the fleet may take to hear every event (20 niced processes on 2 busy cores: long). */
const ARRIVAL_TIMEOUT_MS = 1_500_000
/** Between two looks at the fleet's gauges (each look is a scrape of every instance). */
const POLL_MS = 2000
/** Clock ticks a second of /proc's CPU times (Linux's USER_HZ). */
const TICKS = 100

/** CPU seconds (user + system) a process has used so far. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (Number(fields[11]) + Number(fields[12])) / TICKS
}
/** Logouts a second of the steady state modelled (expiries spread over the token lifetime). */
const LOGOUTS_PER_SECOND = 1000

/** The events carrying `entries` revoked sessions. */
export function floodEvents(entries, now = Math.floor(Date.now() / 1000)) {
  const events = []
  for (let first = 0; first < entries; first += MAX_SESSIONS_PER_EVENT) {
    const size = Math.min(MAX_SESSIONS_PER_EVENT, entries - first)
    events.push({
      kind: 'sessions',
      userId: String(1 + ((first / MAX_SESSIONS_PER_EVENT) % 100_000)),
      sessionIds: Array.from({ length: size }, () => randomBytes(16).toString('hex')),
      // Far enough ahead that no sweep removes them while they are measured.
      expiresAt: now + 900 + Math.floor(first / LOGOUTS_PER_SECOND),
    })
  }
  return events
}

/** How many times each instance's log says its bus went down (it then fails closed). */
function busDowns(fleet) {
  return fleet.map(
    (server) => readFileSync(server.logFile, 'utf8').split('revocation bus down').length - 1,
  )
}

/** Each instance's RSS, heap used, CPU seconds so far and revoked sessions held. */
async function readFleet(fleet) {
  return Promise.all(
    fleet.map(async (server) => {
      const text = await scrape(server.metricsUrl)
      return {
        rss: rssOf(server.pid),
        cpu: cpuSeconds(server.pid),
        heap: metricValue(text, HEAP_USED),
        sessions: metricValue(text, SESSIONS, '{kind="sessions"}'),
      }
    }),
  )
}

/**
 * Writes `entries` revoked sessions to the store with `record(events)`, then publishes them with
 * `publish(payloads)`, as Tessera does (the store first: an instance whose bus drops events
 * catches up from it), and waits until every instance holds them. Resolves to `{ before, arrived, after, publishMs, arrivalMs }` (readings per
 * instance: before, when the last one held them all, and 5 s later).
 */
export async function floodRevocations({ fleet, entries, record, publish, log }) {
  const before = await readFleet(fleet)
  const downsBefore = busDowns(fleet)
  const events = floodEvents(entries)
  const payloads = events.map(serializeRevocationEvent)
  const recordStarted = performance.now()
  await record(events)
  log(
    `  wrote ${entries} revoked sessions to the store in ${((performance.now() - recordStarted) / 1000).toFixed(1)} s`,
  )
  const started = performance.now()
  await publish(payloads)
  const publishMs = performance.now() - started
  log(`  published ${payloads.length} events in ${(publishMs / 1000).toFixed(1)} s`)
  let now = before
  for (let poll = 1; ; poll++) {
    now = await readFleet(fleet)
    const behind = now.filter((s, i) => s.sessions < before[i].sessions + entries).length
    if (behind === 0) break
    if (performance.now() - started > ARRIVAL_TIMEOUT_MS) {
      throw new Error(
        `${behind} instances still short of ${entries} entries after ${ARRIVAL_TIMEOUT_MS / 1000} s`,
      )
    }
    // Every 10 s: progress, without a line per look.
    if (poll % 5 === 0)
      log(
        `  ${behind} instances still short, the least holds ${Math.min(...now.map((s) => s.sessions))}`,
      )
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  const arrivalMs = performance.now() - started
  const arrived = now
  log(`  every instance holds them after ${(arrivalMs / 1000).toFixed(1)} s`)
  // Read again a few seconds later: V8 collects the parsed events' garbage when idle.
  await new Promise((resolve) => setTimeout(resolve, 5000))
  const downs = busDowns(fleet).map((n, i) => n - downsBefore[i])
  return { before, arrived, after: await readFleet(fleet), publishMs, arrivalMs, downs }
}
