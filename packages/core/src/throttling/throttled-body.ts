import { publicErrorBody } from '../errors/error-catalogue.js'

/**
 * The body of a 429 answer, from the error catalogue:
 * `{"detail":"Request was throttled. Expected available in N seconds."}`. Send
 * `Retry-After: N` with it, N the same number.
 *
 * @param retryAfterSeconds - The wait from `Throttler.check`; rounded up, at least 1.
 * @example throttledBody(42) // { detail: 'Request was throttled. Expected available in 42 seconds.' }
 */
export function throttledBody(retryAfterSeconds: number): { detail: string } {
  const seconds = Math.ceil(retryAfterSeconds)
  const wait = Number.isFinite(seconds) && seconds >= 1 ? seconds : 1
  const detail = publicErrorBody('throttled', { wait }).detail
  // DRF words it with ngettext: "Expected available in 1 second."
  return { detail: wait === 1 ? detail.replace('1 seconds.', '1 second.') : detail }
}
