// Watches the servers during the load: their processes' RSS (from /proc) at the end of the
// warm-up and at the end, and the event-loop delay p99 each process measures itself
// (prom-client's `nodejs_eventloop_lag_p99_seconds`, reset at every scrape, so each scrape
// covers the time since that process's previous one).
import { treeRss } from '../process-memory.js'
import { metricValue, scrape } from '../prometheus.js'

/**
 * Between scrapes of each metrics port. Each scrape's p99 is over the window since the last:
 * prom-client samples the loop every 10 ms, so a 1 s window holds about 100 samples and its
 * "p99" is its second-worst delay; a 5 s window's 500 make it a p99.
 */
const SCRAPE_INTERVAL_MS = 5000
const LAG_P99 = 'tessera_nodejs_eventloop_lag_p99_seconds'

/**
 * `servers`: `{ label, pid, metricsUrl, processes }`, `processes` being how many to expect
 * (a primary and its workers). Call `reset()` before the load (the first scrape of a process
 * covers its start-up), `markWarm()` at the end of the warm-up, `finish()` after the load.
 */
export function monitorServers(servers) {
  const p99s = []
  const warm = new Map()
  let timer
  let stopped = false
  const scrapeAll = async (keep) => {
    await Promise.all(
      servers.map(async (server) => {
        // A cluster's workers share the metrics port; fresh connections alternate between them.
        for (let i = 0; i < server.processes; i++) {
          try {
            const value = metricValue(await scrape(server.metricsUrl), LAG_P99)
            if (keep && value !== undefined) p99s.push(value)
          } catch (error) {
            // A scrape that fails is itself a finding: recorded as an infinite delay.
            if (keep) p99s.push(Number.POSITIVE_INFINITY)
            process.stderr.write(`scrape ${server.label}: ${error.message}\n`)
          }
        }
      }),
    )
  }
  const loop = async () => {
    if (stopped) return
    await scrapeAll(true)
    timer = setTimeout(loop, SCRAPE_INTERVAL_MS)
  }
  const rssByProcess = () => {
    const sizes = new Map()
    for (const server of servers) {
      for (const [pid, rss] of treeRss(server.pid)) {
        sizes.set(pid, { process: `${server.label}[${pid}]`, rss })
      }
    }
    return sizes
  }
  return {
    async reset() {
      await scrapeAll(false)
      timer = setTimeout(loop, SCRAPE_INTERVAL_MS)
    },
    markWarm() {
      for (const [pid, sample] of rssByProcess()) warm.set(pid, sample)
    },
    async finish() {
      stopped = true
      clearTimeout(timer)
      await scrapeAll(true)
      const end = rssByProcess()
      const rss = [...warm].map(([pid, sample]) => ({
        process: sample.process,
        warm: sample.rss,
        // A process gone by the end (a worker that died) has no end: counted as unbounded.
        end: end.get(pid)?.rss ?? Number.POSITIVE_INFINITY,
      }))
      return { p99s, rss }
    },
  }
}
