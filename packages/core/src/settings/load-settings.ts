import { SettingsError } from '../errors/config-errors.js'
import { checkSettingNames, readConfigFile } from './read-config-file.js'
import type { SettingSpec } from './setting-spec.js'
import { CLAIM_SETTINGS, settingSpecs } from './setting-specs.js'
import type { SettingsInput, TesseraSettings } from './settings.js'

/** Where `loadSettings` reads settings from. */
export interface LoadSettingsOptions {
  /** Settings given in code; they win over every other source. Unknown keys are errors. */
  readonly overrides?: SettingsInput
  /**
   * Environment variables to read `TESSERA_<NAME>` from. Default `process.env`. Unknown
   * `TESSERA_*` variables are ignored (other packages own `TESSERA_DATA_DIR` and the like).
   */
  readonly env?: Readonly<Record<string, string | undefined>>
  /**
   * Path of a JSON config file, relative to `cwd`; it must exist. `false` reads none. Default:
   * `tessera.config.json` in `cwd`, read only when it exists.
   */
  readonly configFile?: string | false
  /** Directory the config file is looked up in. Default `process.cwd()`. */
  readonly cwd?: string
}

const CODE = 'code overrides'

// Re-throws a spec's error with the place the value came from, so the fix is easy to find.
function parseFrom<T>(where: string, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error
    throw new SettingsError(error.setting, `${error.message} (from ${where})`)
  }
}

function checkClaimsDiffer(values: Record<string, unknown>, sources: Record<string, string>) {
  CLAIM_SETTINGS.forEach((name, index) => {
    const earlier = CLAIM_SETTINGS.slice(0, index).find((other) => values[other] === values[name])
    if (earlier !== undefined) {
      throw new SettingsError(
        name,
        `${name} must differ from ${earlier}; both are ${JSON.stringify(values[name])} ` +
          `(from ${sources[name]})`,
      )
    }
  })
}

/**
 * Loads Tessera's settings. Each setting comes from the first source that sets it, in this
 * order: code `overrides`, environment `TESSERA_<NAME>`, the config file, the default. Every
 * value given is checked, even one a higher source replaces.
 *
 * Environment values are text: durations as `300` or `15m`, booleans as `true/false`, `1/0`,
 * `yes/no`, `on/off` (any case), lists comma-separated (`Bearer,JWT`).
 *
 * @returns The settings, frozen.
 * @throws {SettingsError} Naming the setting, the accepted form and where the value came from
 * (`env TESSERA_X`, the config file's path, `code overrides`); secrets are never echoed.
 * @example
 * const settings = loadSettings({ overrides: { ACCESS_TOKEN_LIFETIME: '15m' } })
 * settings.ACCESS_TOKEN_LIFETIME // 900
 */
export function loadSettings(options: LoadSettingsOptions = {}): TesseraSettings {
  const env = options.env ?? process.env
  const file = readConfigFile(options.configFile, options.cwd ?? process.cwd())
  const overrides: Readonly<Record<string, unknown>> = options.overrides ?? {}
  checkSettingNames(overrides, CODE)

  const values: Record<string, unknown> = {}
  const sources: Record<string, string> = {}
  for (const spec of Object.values(settingSpecs) as SettingSpec<unknown>[]) {
    const { name } = spec
    values[name] = spec.default
    sources[name] = 'the default'
    if (file !== undefined && Object.hasOwn(file.values, name)) {
      values[name] = parseFrom(file.path, () => spec.parse(file.values[name]))
      sources[name] = file.path
    }
    const text = env[spec.env]
    if (text !== undefined) {
      values[name] = parseFrom(`env ${spec.env}`, () => spec.parseEnv(text))
      sources[name] = `env ${spec.env}`
    }
    const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined
    if (override !== undefined) {
      values[name] = parseFrom(CODE, () => spec.parse(override))
      sources[name] = CODE
    }
  }
  checkClaimsDiffer(values, sources)
  return Object.freeze(values) as unknown as TesseraSettings
}
