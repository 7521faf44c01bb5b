import { resolve } from 'node:path'
import {
  loadSettings,
  type SettingSpec,
  SettingsError,
  type SettingsInput,
  settingSpecs,
  type TesseraSettings,
} from '@tessera/core'
import { checkSettingNames, readServerConfigFile, type ServerConfigFile } from './config-file.js'
import { readSecretFiles } from './secret-files.js'
import { serverSettingSpecs } from './server-setting-specs.js'
import type { ServerOnlySettings, ServerSettings, ServerSettingsInput } from './server-settings.js'

/** Where {@link loadServerSettings} reads settings from; the same sources as core's `loadSettings`. */
export interface LoadServerSettingsOptions {
  /** Settings given in code, core's and the server's; they win over every other source. */
  readonly overrides?: SettingsInput & ServerSettingsInput
  /** Environment to read `TESSERA_<NAME>` from. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Config file path relative to `cwd` (must exist), or `false`. Default: `tessera.config.json` if present. */
  readonly configFile?: string | false
  /** Directory of the config file and base of a relative `DATA_DIR`. Default `process.cwd()`. */
  readonly cwd?: string
}

const CODE = 'code overrides'
type Env = Readonly<Record<string, string | undefined>>

// Re-throws a spec's error with the place the value came from, as core's loader does.
function parseFrom<T>(where: string, parse: () => T): T {
  try {
    return parse()
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error
    throw new SettingsError(error.setting, `${error.message} (from ${where})`)
  }
}

/**
 * Core's settings through core's `loadSettings`. Core's reader refuses the server's keys, so the
 * file is read here: its core values are checked (naming the file) and handed over as code input
 * unless the environment sets them, which keeps the order default < file < env < code.
 */
function loadCoreSettings(
  file: ServerConfigFile | undefined,
  env: Env,
  overrides: Readonly<Record<string, unknown>>,
): TesseraSettings {
  const input: Record<string, unknown> = {}
  for (const spec of Object.values(settingSpecs) as SettingSpec<unknown>[]) {
    if (file !== undefined && Object.hasOwn(file.values, spec.name)) {
      const value = file.values[spec.name]
      parseFrom(file.path, () => spec.parse(value))
      if (env[spec.env] === undefined) input[spec.name] = value
    }
    const override = Object.hasOwn(overrides, spec.name) ? overrides[spec.name] : undefined
    if (override !== undefined) input[spec.name] = override
  }
  return loadSettings({ env, configFile: false, overrides: input as SettingsInput })
}

function loadServerOnly(
  file: ServerConfigFile | undefined,
  env: Env,
  overrides: Readonly<Record<string, unknown>>,
): ServerOnlySettings {
  const values: Record<string, unknown> = {}
  for (const spec of Object.values(serverSettingSpecs) as SettingSpec<unknown>[]) {
    const { name } = spec
    values[name] = spec.default
    if (file !== undefined && Object.hasOwn(file.values, name)) {
      values[name] = parseFrom(file.path, () => spec.parse(file.values[name]))
    }
    const text = env[spec.env]
    if (text !== undefined) values[name] = parseFrom(`env ${spec.env}`, () => spec.parseEnv(text))
    const override = Object.hasOwn(overrides, name) ? overrides[name] : undefined
    if (override !== undefined) values[name] = parseFrom(CODE, () => spec.parse(override))
  }
  return values as unknown as ServerOnlySettings
}

/**
 * Loads every setting of the server: core's (through core's `loadSettings`) and the server's own
 * ({@link serverSettingSpecs}), from the same sources in the same order: defaults <
 * `tessera.config.json` < `TESSERA_*` environment < code. A secret may come from a file named
 * by `TESSERA_<NAME>_FILE` instead (Docker secrets). Pure: it creates no file and no key;
 * `DATA_DIR` comes back absolute (resolved against `cwd`).
 *
 * @returns The settings, frozen.
 * @throws {SettingsError} Naming the setting, the accepted form and where the value came from.
 * @example
 * const settings = loadServerSettings({ env: { TESSERA_PORT: '9000' } })
 * settings.PORT // 9000
 * settings.ACCESS_TOKEN_LIFETIME // 300
 */
export function loadServerSettings(options: LoadServerSettingsOptions = {}): ServerSettings {
  const cwd = options.cwd ?? process.cwd()
  const env = readSecretFiles(
    options.env ?? process.env,
    [...Object.values(settingSpecs), ...Object.values(serverSettingSpecs)],
    cwd,
  )
  const file = readServerConfigFile(options.configFile, cwd)
  const overrides: Readonly<Record<string, unknown>> = options.overrides ?? {}
  checkSettingNames(overrides, CODE)
  const core = loadCoreSettings(file, env, overrides)
  const server = loadServerOnly(file, env, overrides)
  return Object.freeze({ ...core, ...server, DATA_DIR: resolve(cwd, server.DATA_DIR) })
}
