import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { SettingsError } from '../errors/config-errors.js'
import { echoValue } from './echo-value.js'
import { settingSpecs } from './setting-specs.js'

/** True for the names of core's settings; packages with more settings pass their own test. */
function isCoreSetting(name: string): boolean {
  return Object.hasOwn(settingSpecs, name)
}

/** The config file `loadSettings` reads from `cwd` unless told otherwise. */
export const CONFIG_FILE_NAME = 'tessera.config.json'

/** A config file that was read: its absolute path and its settings, all keys known. */
export interface ConfigFile {
  /** Absolute path of the file, used in error messages. */
  readonly path: string
  /** The file's top-level object, every key a setting name; values not yet checked. */
  readonly values: Readonly<Record<string, unknown>>
}

/**
 * Throws unless every key of `input` names a setting. Only the key is echoed, never its value
 * (a misspelt `SIGNING_KEY` still holds a secret).
 */
export function checkSettingNames(
  input: object,
  where: string,
  isKnown: (name: string) => boolean = isCoreSetting,
): void {
  for (const key of Object.keys(input)) {
    if (!isKnown(key)) {
      throw new SettingsError(key, `unknown setting ${echoValue(key)} in ${where}`)
    }
  }
}

// V8's JSON.parse messages quote the text around the error, which may be a secret: keep only the
// position, as line and column.
function describePosition(error: unknown, text: string): string {
  const match = error instanceof Error ? /at position (\d+)/.exec(error.message) : null
  if (match?.[1] === undefined) return ''
  const before = text.slice(0, Number(match[1])).split('\n')
  return ` (line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1})`
}

function errorCode(error: unknown): string | undefined {
  const code = error instanceof Error && 'code' in error ? error.code : undefined
  return typeof code === 'string' ? code : undefined
}

/**
 * Reads the config file: `option` false reads none; a string is a path (relative to `cwd`) that
 * must exist; undefined reads `tessera.config.json` in `cwd` when it exists.
 *
 * @throws {SettingsError} (setting `configFile`) when the file cannot be read, is not JSON or not an
 * object; (setting = the key) for an unknown key.
 */
export function readConfigFile(
  option: string | false | undefined,
  cwd: string,
  isKnown: (name: string) => boolean = isCoreSetting,
): ConfigFile | undefined {
  if (option === false) return undefined
  const path = resolve(cwd, option ?? CONFIG_FILE_NAME)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = errorCode(error)
    if (option === undefined && code === 'ENOENT') return undefined
    throw new SettingsError('configFile', `cannot read config file ${path} (${code ?? 'error'})`)
  }
  // Editors on Windows may start the file with a byte order mark, which JSON.parse refuses.
  const json = text.replace(/^\uFEFF/, '')
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch (error) {
    const position = describePosition(error, json)
    throw new SettingsError('configFile', `${path} is not valid JSON${position}`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new SettingsError('configFile', `${path} must hold a JSON object of settings`)
  }
  checkSettingNames(data, path, isKnown)
  return { path, values: data as Record<string, unknown> }
}
