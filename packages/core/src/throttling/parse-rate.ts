import { SettingsError } from '../errors/config-errors.js'
import { MAX_DURATION_SECONDS } from '../settings/duration.js'
import { echoValue } from '../settings/echo-value.js'

/** A throttle rate: at most `limit` requests in any sliding window of `windowSeconds`. */
export interface ThrottleRate {
  /** Requests allowed per window, an integer from 0 (refuse every request) to 100 000. */
  readonly limit: number
  /** The window's length in whole seconds, at least 1. */
  readonly windowSeconds: number
}

/** A rate as throttles take it: DRF's text (`'5/min'`), a parsed rate, or `null` for none. */
export type RateInput = string | ThrottleRate | null

/**
 * The most requests a rate may allow per window. The sliding log keeps one timestamp per allowed
 * request, so this bounds a bucket's memory.
 */
export const MAX_THROTTLE_LIMIT = 100_000

const UNIT_SECONDS = { s: 1, m: 60, h: 3_600, d: 86_400 } as const
// `<requests>/<multiplier?><unit word>`: DRF reads only the unit's first letter (`min`, `minute`
// and `m` are all minutes). Input is capped in length before matching.
const RATE_PATTERN = /^(\d{1,9})\/(\d{1,9})?([smhd])[a-z]*$/
const MAX_INPUT_LENGTH = 64

function rateError(setting: string, value: unknown): SettingsError {
  return new SettingsError(
    setting,
    `${setting} must be a rate <requests>/<period> such as 5/min, 100/day or 10/5m (period s, m, ` +
      `h or d, optionally preceded by a multiplier), or none; got ${echoValue(value)}`,
  )
}

function checkRange(rate: ThrottleRate, setting: string, value: unknown): ThrottleRate {
  if (rate.limit > MAX_THROTTLE_LIMIT) {
    throw new SettingsError(
      setting,
      `${setting} must allow at most ${MAX_THROTTLE_LIMIT} requests per period; got ${echoValue(value)}`,
    )
  }
  if (rate.windowSeconds > MAX_DURATION_SECONDS) {
    throw new SettingsError(
      setting,
      `${setting} must have a period of at most 3650d (10 years); got ${echoValue(value)}`,
    )
  }
  return rate
}

/**
 * Parses a throttle rate with DRF's semantics: `<requests>/<period>`, where only the period's
 * first letter counts: `s` (second), `m` (minute), `h` (hour), `d` (day); so `5/min`, `100/day`,
 * `10/second` and `3/hour` all work, as in `DEFAULT_THROTTLE_RATES`.
 *
 * Tessera extension: a multiplier before the period, `10/5m` or `10/5min` = 10 requests per
 * 5 minutes (DRF would reject these, so no DRF rate changes meaning).
 *
 * `null` or `'none'` mean "no throttle" and return `null`. Outer whitespace is ignored; the
 * period is lower case, as in DRF. `0/min` is valid and refuses everything. Rejected: a missing
 * part, signs, decimals, spaces inside, an unknown period letter, a zero multiplier, more than
 * 100 000 requests, a period over 10 years.
 *
 * @param value - The raw rate, typically from settings.
 * @param setting - The setting name used in the error message (default `'rate'`).
 * @returns The parsed rate, or `null` for no throttle.
 * @throws {SettingsError} Naming `setting` and the accepted form; the value is echoed, cut short.
 * @example
 * parseRate('5/min') // { limit: 5, windowSeconds: 60 }
 * parseRate('10/5m') // { limit: 10, windowSeconds: 300 }
 * parseRate('none') // null
 */
export function parseRate(value: unknown, setting = 'rate'): ThrottleRate | null {
  if (value === null) return null
  if (typeof value !== 'string') throw rateError(setting, value)
  const text = value.trim()
  if (text === 'none') return null
  if (text.length > MAX_INPUT_LENGTH) throw rateError(setting, value)
  const match = RATE_PATTERN.exec(text)
  const [, requests, multiplier = '1', unit] = match ?? []
  if (requests === undefined || unit === undefined || Number(multiplier) === 0) {
    throw rateError(setting, value)
  }
  const unitSeconds = UNIT_SECONDS[unit as keyof typeof UNIT_SECONDS]
  const rate = { limit: Number(requests), windowSeconds: Number(multiplier) * unitSeconds }
  return checkRange(rate, setting, value)
}

/**
 * Turns a {@link RateInput} into a rate or `null`: text goes through {@link parseRate}, an
 * object is checked the same way. Internal to the throttles.
 */
export function resolveRate(rate: RateInput, setting: string): ThrottleRate | null {
  if (rate === null || typeof rate !== 'object') return parseRate(rate, setting)
  const { limit, windowSeconds } = rate
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new SettingsError(setting, `${setting}.limit must be an integer >= 0`)
  }
  if (!Number.isSafeInteger(windowSeconds) || windowSeconds < 1) {
    throw new SettingsError(setting, `${setting}.windowSeconds must be an integer >= 1`)
  }
  return checkRange({ limit, windowSeconds }, setting, `${limit}/${windowSeconds}s`)
}
