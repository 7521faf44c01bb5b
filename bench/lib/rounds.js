// Side-by-side measurement: servers run alternately round by round, so drift of the machine
// (another process, thermal) spreads over all of them instead of favouring one. The order reverses
// each round (A B C, C B A, A B C ...): with a fixed order the server that always goes last gains
// from a machine speeding up over the run (and loses from one slowing down), and always follows
// the same neighbour; reversed, every server's mean position is the same over two rounds.
// Each round waits for the machine to go quiet first, so no server pays for the last one's
// leftover work.
import { waitForQuietMachine } from './quiet.js'

/**
 * @typedef {{ name: string, measure: (seconds: number) => Promise<{ rps: number, p50?: number, p99?: number }> }} Target
 */

/**
 * Warms each target up for `warmup` seconds, then runs `rounds` rounds of `seconds` each over
 * the targets in turn, in reverse order every other round, each on a quiet machine. Resolves
 * to a Map of target name to its list of results. `waitForQuiet` is replaceable for tests.
 * @param {Target[]} targets
 */
export async function alternate(
  targets,
  { rounds, seconds, warmup = 3, log, waitForQuiet = waitForQuietMachine },
) {
  for (const target of targets) {
    if (warmup > 0) {
      log(`  warm-up ${target.name} (${warmup} s)`)
      await target.measure(warmup)
    }
  }
  const results = new Map(targets.map((target) => [target.name, []]))
  for (let round = 1; round <= rounds; round++) {
    for (const target of round % 2 === 1 ? targets : [...targets].reverse()) {
      const waited = await waitForQuiet(log)
      if (waited >= 500) log(`  waited ${(waited / 1000).toFixed(1)} s for the machine to go quiet`)
      const result = await target.measure(seconds)
      results.get(target.name).push(result)
      log(`  round ${round}/${rounds} ${target.name}: ${Math.round(result.rps)} req/s`)
    }
  }
  return results
}
