// Medians and number formats of the report.

/** Median (mean of the middle two for an even count). */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
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
