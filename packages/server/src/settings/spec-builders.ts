import {
  defineSpec,
  durationSeconds,
  formatDuration,
  invalid,
  type SettingSpec,
  type SpecBase,
} from '@tessera/core'

// Core's builders (booleans, enums, the spec itself) serve the server's settings too.
export {
  booleanSpec,
  defineSpec,
  ENV_BOOLEANS,
  enumSpec,
  invalid,
  type SpecBase,
} from '@tessera/core'

/** A non-empty string without surrounding whitespace. */
export function stringSpec(base: SpecBase<string>): SettingSpec<string> {
  return defineSpec(base, (raw) => {
    if (typeof raw !== 'string' || raw.trim() === '' || raw.trim() !== raw) {
      throw invalid(base.name, 'a non-empty string without surrounding spaces', raw)
    }
    return raw
  })
}

/** A TCP port, 0 to 65535 (0 lets the system pick one). */
export function portSpec(base: SpecBase<number>): SettingSpec<number> {
  const form = 'a port number from 0 to 65535'
  const parse = (raw: unknown): number => {
    if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > 65_535) {
      throw invalid(base.name, form, raw)
    }
    return raw
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => {
      if (!/^\d{1,5}$/.test(text.trim())) throw invalid(base.name, form, text)
      return parse(Number(text.trim()))
    },
  })
}

/** A duration in whole seconds between `min` and `max` (core's duration parser). */
export function boundedDurationSpec(
  base: SpecBase<number>,
  min: number,
  max: number,
): SettingSpec<number> {
  return defineSpec(
    base,
    (raw) => {
      const seconds = durationSeconds(raw, base.name)
      if (seconds < min || seconds > max) {
        throw invalid(base.name, `a duration from ${min} to ${max} seconds`, raw)
      }
      return seconds
    },
    { format: formatDuration },
  )
}

/** A duration of at least `min` seconds, or null (env `off`, `none` or empty) for off. */
export function optionalDurationSpec(
  base: SpecBase<number | null>,
  min: number,
): SettingSpec<number | null> {
  const parse = (raw: unknown): number | null => {
    if (raw === null) return null
    const seconds = durationSeconds(raw, base.name)
    if (seconds < min)
      throw invalid(base.name, `a duration of at least ${min} seconds, or off`, raw)
    return seconds
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => {
      const trimmed = text.trim().toLowerCase()
      return trimmed === '' || trimmed === 'off' || trimmed === 'none' ? null : parse(text)
    },
    format: (value) => (value === null ? 'off' : formatDuration(value)),
  })
}

// DRF's period words (it reads only the first letter; we accept its documented spellings).
const RATE = /^([1-9]\d{0,8})\/(s|sec|second|seconds|m|min|minute|minutes|h|hour|hours|d|day|days)$/
const RATE_FORM = 'a rate such as 5/min, 100/hour or 1000/day (requests/period), or null for off'

/** A DRF rate string (`5/min`), or `null` (env `off`, `none` or empty) to turn a throttle off. */
export function rateSpec(base: SpecBase<string | null>): SettingSpec<string | null> {
  const parse = (raw: unknown): string | null => {
    if (raw === null) return null
    if (typeof raw !== 'string' || !RATE.test(raw.trim())) throw invalid(base.name, RATE_FORM, raw)
    return raw.trim()
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => {
      const trimmed = text.trim().toLowerCase()
      return trimmed === '' || trimmed === 'off' || trimmed === 'none' ? null : parse(text)
    },
    format: (value) => value ?? 'off',
  })
}
