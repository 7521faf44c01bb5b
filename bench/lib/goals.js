// Goals on the ratio of two servers' medians: the row of the goals table and the line a chart
// draws for it.
import { formatRatioWithRounds, median, roundRatios } from './stats.js'

/** A goal's factor as written: `1.5x`, `15x`. */
const times = (factor) => `${factor}x`

/**
 * The goal `subject >= factor x peer` on the medians of `results` (a Map of server name to its
 * rounds), measured with its per-round range, and `line`: where a chart draws the goal, at
 * `factor` times the peer's median. `goal` replaces the goal's text.
 */
export function ratioGoal(results, subject, peer, factor, { goal } = {}) {
  const peerMedian = median(results.get(peer).map((run) => run.rps))
  const ratio = median(results.get(subject).map((run) => run.rps)) / peerMedian
  return {
    goal: goal ?? `${subject} >= ${times(factor)} ${peer}`,
    measured: formatRatioWithRounds(ratio, roundRatios(results, subject, peer)),
    pass: ratio >= factor,
    line: { value: factor * peerMedian, label: `${times(factor)} ${peer}` },
  }
}

/** A goal whose peer was not run (the reference without BENCH_REFERENCE=1): no verdict. */
export const notRunGoal = (goal, why) => ({ goal, measured: `not run (${why})`, pass: undefined })
