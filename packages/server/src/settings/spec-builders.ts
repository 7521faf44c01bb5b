import { durationSeconds, formatDuration, type SettingSpec, SettingsError } from '@tessera/core'
import { echoValue } from './echo-value.js'

/** What every spec builder is given: the name, the default and the one-line description. */
export type SpecBase<T> = Pick<SettingSpec<T>, 'name' | 'default' | 'description'>

type SpecExtra<T> = Partial<Pick<SettingSpec<T>, 'parseEnv' | 'format' | 'secret'>>

/** Builds a frozen {@link SettingSpec} (env name `TESSERA_<name>`), as core's builders do. */
export function defineSpec<T>(
  base: SpecBase<T>,
  parse: (raw: unknown) => T,
  extra: SpecExtra<T> = {},
): SettingSpec<T> {
  return Object.freeze({
    ...base,
    env: `TESSERA_${base.name}`,
    secret: extra.secret ?? false,
    parse,
    parseEnv: extra.parseEnv ?? parse,
    format: extra.format ?? ((value: T) => (value === undefined ? '(unset)' : String(value))),
  })
}

/** The error of a rejected value: names the setting and the accepted form, echoes the value. */
export function invalid(name: string, form: string, raw: unknown): SettingsError {
  return new SettingsError(name, `${name} must be ${form}; got ${echoValue(raw)}`)
}

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

/** Environment spellings of booleans, as core reads them. */
export const ENV_BOOLEANS: Readonly<Record<string, boolean>> = Object.freeze({
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
})

/** A boolean: `true`/`false` in code and files; also `1/0`, `yes/no`, `on/off` in the env. */
export function booleanSpec(base: SpecBase<boolean>): SettingSpec<boolean> {
  return defineSpec(
    base,
    (raw) => {
      if (typeof raw !== 'boolean') throw invalid(base.name, 'a boolean (true or false)', raw)
      return raw
    },
    {
      parseEnv: (text) => {
        const value = ENV_BOOLEANS[text.trim().toLowerCase()]
        if (value === undefined) {
          throw invalid(base.name, 'a boolean: true/false, 1/0, yes/no or on/off', text)
        }
        return value
      },
    },
  )
}

/** One of a fixed list of strings, matched exactly. */
export function enumSpec<T extends string>(
  base: SpecBase<T>,
  choices: readonly T[],
): SettingSpec<T> {
  return defineSpec(base, (raw) => {
    if (!choices.includes(raw as T)) throw invalid(base.name, `one of ${choices.join(', ')}`, raw)
    return raw as T
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
