const UNITS = [
  ['day', 86_400],
  ['hour', 3_600],
  ['minute', 60],
  ['second', 1],
] as const

/**
 * A span of seconds in words, the largest unit that fits, rounded down: `4 minutes`, `1 hour`.
 */
export function spanInWords(seconds: number): string {
  const span = Math.abs(Math.trunc(seconds))
  for (const [unit, size] of UNITS) {
    if (span >= size || unit === 'second') {
      const amount = Math.floor(span / size)
      return `${amount} ${unit}${amount === 1 ? '' : 's'}`
    }
  }
  return `${span} seconds`
}

/**
 * When a token expires, relative to `now` (both epoch seconds): `expires in 4 minutes`,
 * `expired 3 hours ago`.
 */
export function expiryInWords(exp: number, now: number): string {
  return exp > now
    ? `expires in ${spanInWords(exp - now)}`
    : `expired ${spanInWords(now - exp)} ago`
}

/** A past or future moment relative to `now`: `2 minutes ago`, `in 3 days`. */
export function momentInWords(at: number, now: number): string {
  return at > now ? `in ${spanInWords(at - now)}` : `${spanInWords(now - at)} ago`
}
