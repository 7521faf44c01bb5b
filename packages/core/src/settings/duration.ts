import { SettingsError } from '../errors/config-errors.js'
import { echoValue } from './echo-value.js'

/** The longest duration any setting accepts: 10 years of 365 days, in seconds (`3650d`). */
export const MAX_DURATION_SECONDS = 3650 * 86_400

// Units from largest to smallest; a duration string must use them in this order, each at most once.
const UNITS = [
  ['w', 604_800],
  ['d', 86_400],
  ['h', 3_600],
  ['m', 60],
  ['s', 1],
] as const

// `2h30m`, `1w2d`, `90s`: every group optional, order fixed. Inputs are capped in length before
// matching, and each group needs its unit letter, so the pattern cannot backtrack badly.
const UNIT_PATTERN = /^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/
const SECONDS_PATTERN = /^\d+$/
const MAX_INPUT_LENGTH = 64

function durationError(setting: string, value: unknown): SettingsError {
  return new SettingsError(
    setting,
    `${setting} must be a duration: seconds (300) or units s/m/h/d/w such as 15m, 1d, 2h30m; ` +
      `got ${echoValue(value)}`,
  )
}

function checkRange(seconds: number, setting: string, value: unknown): number {
  if (seconds > MAX_DURATION_SECONDS) {
    throw new SettingsError(
      setting,
      `${setting} must be a duration of at most 3650d (10 years); got ${echoValue(value)}`,
    )
  }
  // `+ 0` turns a `-0` input into `0`.
  return seconds + 0
}

/**
 * Parses a duration into whole seconds: the one duration parser of Tessera.
 *
 * Accepts a non-negative integer number of seconds, or a string holding either integer seconds
 * (`"300"`) or a sequence of units `w`, `d`, `h`, `m`, `s` in decreasing order, each at most once
 * (`"15m"`, `"1d"`, `"2h30m"`, `"1w2d"`, `"90s"`). Outer whitespace is ignored. Empty strings,
 * negative or fractional values, unknown, repeated or out-of-order units, non-finite numbers and
 * anything above 10 years are rejected.
 *
 * @param value - The raw duration.
 * @param setting - The setting name used in the error message (default `'duration'`).
 * @returns The duration in seconds, an integer.
 * @throws {SettingsError} Naming `setting` and the accepted forms; the value is echoed, cut to 40
 * characters.
 * @example
 * parseDuration('2h30m') // 9000
 * parseDuration(300) // 300
 */
export function parseDuration(value: string | number, setting = 'duration'): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw durationError(setting, value)
    return checkRange(value, setting, value)
  }
  const text = typeof value === 'string' ? value.trim() : ''
  if (text === '' || text.length > MAX_INPUT_LENGTH) throw durationError(setting, value)
  if (SECONDS_PATTERN.test(text)) return checkRange(Number(text), setting, value)

  const match = UNIT_PATTERN.exec(text)
  if (match === null) throw durationError(setting, value)
  let seconds = 0
  UNITS.forEach(([, size], index) => {
    const amount = match[index + 1]
    if (amount !== undefined) seconds += Number(amount) * size
  })
  return checkRange(seconds, setting, value)
}

/**
 * Parses a duration of unknown type, as read from a config file or from code: a number or a
 * string is handed to {@link parseDuration}, anything else is rejected with the same message.
 *
 * @param raw - The raw value.
 * @param setting - The setting name used in the error message (default `'duration'`).
 * @returns The duration in seconds, an integer.
 * @throws {SettingsError} When `raw` is not a valid duration.
 */
export function durationSeconds(raw: unknown, setting = 'duration'): number {
  if (typeof raw !== 'number' && typeof raw !== 'string') throw durationError(setting, raw)
  return parseDuration(raw, setting)
}

/**
 * Formats whole seconds as the shortest unit string {@link parseDuration} reads back, for
 * messages and docs.
 *
 * @param seconds - A non-negative integer number of seconds.
 * @returns E.g. `'2h30m'` for 9000, `'1d'` for 86400, `'0s'` for 0.
 * @throws {RangeError} When `seconds` is not a non-negative integer.
 */
export function formatDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) {
    throw new RangeError(`formatDuration: seconds must be a non-negative integer; got ${seconds}`)
  }
  let rest = seconds
  let text = ''
  for (const [unit, size] of UNITS) {
    const amount = Math.floor(rest / size)
    if (amount > 0) text += `${amount}${unit}`
    rest -= amount * size
  }
  return text === '' ? '0s' : text
}
