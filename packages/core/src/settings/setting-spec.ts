import { SettingsError } from '../errors/config-errors.js'
import { durationSeconds, formatDuration } from './duration.js'
import { echoValue } from './echo-value.js'

/**
 * How one setting is read, checked, documented and shown. The table of Tessera's specs is
 * `settingSpecs`; other packages (the server) add their own specs beside it.
 */
export interface SettingSpec<T> {
  /** The setting's name, e.g. `ACCESS_TOKEN_LIFETIME`. */
  readonly name: string
  /** The environment variable that sets it: `TESSERA_<name>`. */
  readonly env: string
  /** The value used when no source sets it. */
  readonly default: T
  /** One line for docs. */
  readonly description: string
  /** True for keys: their values never appear in messages, `format` hides them. */
  readonly secret: boolean
  /**
   * Checks a value from code or a config file.
   * @throws {SettingsError} Naming the setting and the accepted form.
   */
  parse(raw: unknown): T
  /**
   * Reads the environment variable's text (booleans as `true/1/yes/on`, lists comma-separated).
   * @throws {SettingsError} Naming the setting and the accepted form.
   */
  parseEnv(text: string): T
  /** Renders a value for docs and messages (durations as `5m`, secrets as `(set)`). */
  format(value: T): string
}

/** What every spec builder is given: the name, the default and the one-line description. */
export type SpecBase<T> = Pick<SettingSpec<T>, 'name' | 'default' | 'description'>

/** Builds a frozen {@link SettingSpec} (env name `TESSERA_<name>`); packages add their own with it. */
export function defineSpec<T>(
  base: SpecBase<T>,
  parse: (raw: unknown) => T,
  extra: Partial<Pick<SettingSpec<T>, 'parseEnv' | 'format' | 'secret'>> = {},
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

/** A duration in seconds; `minimum` is 1 for lifetimes, 0 for leeway. */
export function durationSpec(base: SpecBase<number>, minimum: 0 | 1): SettingSpec<number> {
  return defineSpec(
    base,
    (raw) => {
      const seconds = durationSeconds(raw, base.name)
      if (seconds < minimum) throw invalid(base.name, 'a duration greater than 0', raw)
      return seconds
    },
    { format: formatDuration },
  )
}

/** Environment spellings of booleans. */
export const ENV_BOOLEANS: Readonly<Record<string, boolean>> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
  on: true,
  off: false,
}

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

/** An optional non-empty string; secrets are never echoed, not even in part. */
export function optionalStringSpec(
  base: SpecBase<string | undefined>,
  secret = false,
): SettingSpec<string | undefined> {
  return defineSpec(
    base,
    (raw) => {
      if (typeof raw === 'string' && raw !== '') return raw
      if (secret) throw new SettingsError(base.name, `${base.name} must be a non-empty string`)
      throw invalid(base.name, 'a non-empty string', raw)
    },
    secret ? { secret, format: (value) => (value === undefined ? '(unset)' : '(set)') } : {},
  )
}

const CLAIM_PATTERN = /^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$/

/** Registered claims Tessera sets itself (RFC 7519 section 4.1); no setting may reuse them. */
export const RESERVED_CLAIMS: readonly string[] = ['exp', 'iat', 'nbf', 'sub', 'iss', 'aud']

/** A claim name: `^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$`, not a reserved claim. */
export function claimSpec(base: SpecBase<string>): SettingSpec<string> {
  return defineSpec(base, (raw) => {
    if (typeof raw !== 'string' || !CLAIM_PATTERN.test(raw)) {
      throw invalid(base.name, 'a claim name matching ^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$', raw)
    }
    if (RESERVED_CLAIMS.includes(raw)) {
      throw invalid(base.name, `a claim name other than ${RESERVED_CLAIMS.join(', ')}`, raw)
    }
    return raw
  })
}

// RFC 9110 section 5.6.2 `token`: what an auth scheme may be made of.
const TOKEN_PATTERN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/
const SCHEMES_FORM = 'a non-empty list of auth schemes (HTTP tokens such as Bearer)'

/** A non-empty list of auth schemes; comma-separated in the env. */
export function schemeListSpec(base: SpecBase<readonly string[]>): SettingSpec<readonly string[]> {
  const parse = (raw: unknown): readonly string[] => {
    if (!Array.isArray(raw) || raw.length === 0) throw invalid(base.name, SCHEMES_FORM, raw)
    for (const item of raw) {
      if (typeof item !== 'string' || !TOKEN_PATTERN.test(item)) {
        throw invalid(base.name, SCHEMES_FORM, item)
      }
    }
    return Object.freeze([...(raw as string[])])
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => parse(text.split(',').map((item) => item.trim())),
    format: (value) => value.join(','),
  })
}
