// Medians and number formats of the report.

/** Median (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** The `p`-th percentile (0-100) by nearest rank: a value that was measured, never interpolated. */
export function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

/** Requests per second, rounded: `12,345`. */
export const formatRps = (value) =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a'

/** Milliseconds with 2 decimals: `1.23 ms`. */
export const formatMs = (value) => (Number.isFinite(value) ? `${value.toFixed(2)} ms` : 'n/a')

/** A ratio: `0.82x`. */
export const formatRatio = (value) => (Number.isFinite(value) ? `${value.toFixed(2)}x` : 'n/a')

/** A percentage: `82.1%`. */
export const formatPercent = (value) =>
  Number.isFinite(value) ? `${(value * 100).toFixed(1)}%` : 'n/a'

/**
 * The ratio `a / b` of each round (servers run in turn, so round i of both is close in time),
 * lowest and highest: how far the verdict on the medians' ratio could move with the machine.
 */
export function roundRatios(results, a, b) {
  const ours = results.get(a)
  const theirs = results.get(b)
  const ratios = ours.map((run, round) => run.rps / theirs[round].rps)
  return { low: Math.min(...ratios), high: Math.max(...ratios) }
}

/** A ratio with its per-round range: `0.66x (rounds 0.65x to 0.74x)`. */
export const formatRatioWithRounds = (ratio, { low, high }) =>
  `${formatRatio(ratio)} (rounds ${formatRatio(low)} to ${formatRatio(high)})`

/** A share with its per-round range: `99.5% (rounds 95.2% to 103.5%)`. */
export const formatPercentWithRounds = (share, { low, high }) =>
  `${formatPercent(share)} (rounds ${formatPercent(low)} to ${formatPercent(high)})`
