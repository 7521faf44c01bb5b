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
 * Writes `entries` revoked sessions to the store with `record(events)` and publishes them with
 * `publish(payloads)` if given (else the instances read them at their next reconcile), batch by batch (the store first, as Tessera does: an instance whose bus
 * drops events catches up from it), at `rate` events a second (0: as fast as they go), then
 * waits until every instance holds them, or `settleMs` after the last publish. Resolves to
 * `{ before, arrived, after, publishMs, arrivalMs, complete, downs }`: readings per instance
 * (before, when the last look found them all or gave up, and 5 s later), and per instance how
 * often its bus went down meanwhile.
 */
export async function floodRevocations({ fleet, entries, rate, settleMs, record, publish, log }) {
  const before = await readFleet(fleet)
  const downsBefore = busDowns(fleet)
  const events = floodEvents(entries)
  const batch = 10
  const started = performance.now()
  for (let i = 0; i < events.length; i += batch) {
    const slice = events.slice(i, i + batch)
    await record(slice)
    // Without a publisher the instances find them in the store at their next reconcile.
    if (publish !== undefined) await publish(slice.map(serializeRevocationEvent))
    const due = rate > 0 ? started + ((i + batch) / rate) * 1000 : 0
    const wait = due - performance.now()
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait))
  }
  const publishMs = performance.now() - started
  log(
    `  wrote${publish === undefined ? '' : ' and published'} ${events.length} events in ${(publishMs / 1000).toFixed(1)} s`,
  )
  let now = before
  let complete = false
  for (let poll = 1; ; poll++) {
    now = await readFleet(fleet)
    const short = now.filter((s, i) => s.sessions < before[i].sessions + entries)
    if (short.length === 0) {
      complete = true
      break
    }
    if (performance.now() - started - publishMs > settleMs) {
      log(
        `  gave up: ${short.length} instances short, the least holds ${Math.min(...now.map((s) => s.sessions))}`,
      )
      break
    }
    // Every 10 s: progress, without a line per look.
    if (poll % 5 === 0) {
      log(
        `  ${short.length} instances short, the least holds ${Math.min(...now.map((s) => s.sessions))}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS))
  }
  const arrivalMs = performance.now() - started
  const arrived = now
  if (complete) log(`  every instance holds them after ${(arrivalMs / 1000).toFixed(1)} s`)
  // Read again a few seconds later: V8 collects the parsed events' garbage when idle.
  await new Promise((resolve) => setTimeout(resolve, 5000))
  const downs = busDowns(fleet).map((n, i) => n - downsBefore[i])
  return {
    entries,
    before,
    arrived,
    after: await readFleet(fleet),
    publishMs,
    arrivalMs,
    complete,
    downs,
  }
}
