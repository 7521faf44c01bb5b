// Every round starts on a quiet machine. A server goes on with the requests wrk left in flight
// when a round ends: after a login round, simplejwt's gunicorn workers kept both cores busy for
// 0.3-0.4 s (measured from /proc/stat). Without a pause that work is charged to whichever server
// runs next, and in the login scenario that is Tessera.
import { readFileSync } from 'node:fs'
import { setTimeout as sleep } from 'node:timers/promises'

const SAMPLE_MS = 100
/** Busy share of all cores below which a sample counts as quiet (idle services stay well under). */
const QUIET_BELOW = 0.1
/** Quiet samples in a row needed: one quiet sample can fall between two bursts. */
const QUIET_SAMPLES = 2
const GIVE_UP_MS = 10_000

/** Busy and total jiffies of all cores since boot, from /proc/stat; undefined without it. */
function cpuTimes() {
  let line
  try {
    line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]
  } catch {
    return undefined
  }
  // cpu user nice system idle iowait irq softirq steal (guest time is already in user).
  const [user, nice, system, idle, iowait, irq, softirq, steal] = line
    .trim()
    .split(/\s+/)
    .slice(1, 9)
    .map(Number)
  const busy = user + nice + system + irq + softirq + steal
  return { busy, total: busy + idle + iowait }
}

/**
 * Resolves once two 100 ms samples in a row show the machine under 10% busy, or after 10 s
 * (logged: the round then runs on a busy machine). Resolves to the milliseconds waited. Without
 * /proc/stat (not Linux) it pauses one second instead.
 */
export async function waitForQuietMachine(log) {
  const started = performance.now()
  let previous = cpuTimes()
  if (previous === undefined) {
    await sleep(1000)
    return performance.now() - started
  }
  let quiet = 0
  while (quiet < QUIET_SAMPLES) {
    await sleep(SAMPLE_MS)
    const current = cpuTimes()
    const elapsed = current.total - previous.total
    const busy = elapsed > 0 ? (current.busy - previous.busy) / elapsed : 0
    previous = current
    quiet = busy < QUIET_BELOW ? quiet + 1 : 0
    if (quiet < QUIET_SAMPLES && performance.now() - started > GIVE_UP_MS) {
      const share = `${Math.round(busy * 100)}% of all cores`
      log(`  the machine stayed busy (${share}) for 10 s: measuring anyway`)
      break
    }
  }
  return performance.now() - started
}
