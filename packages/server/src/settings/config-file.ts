import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { CONFIG_FILE_NAME, SettingsError, settingSpecs } from '@tessera/core'
import { echoValue } from './echo-value.js'
import { serverSettingSpecs } from './server-setting-specs.js'

/** A config file that was read: its absolute path and its top-level object. */
export interface ServerConfigFile {
  /** Absolute path, used in error messages. */
  readonly path: string
  /** The settings it holds, every key a core or server setting name; values not yet checked. */
  readonly values: Readonly<Record<string, unknown>>
}

/** True when `name` is a core or a server setting. */
export function isSettingName(name: string): boolean {
  return Object.hasOwn(settingSpecs, name) || Object.hasOwn(serverSettingSpecs, name)
}

/**
 * Throws unless every key of `input` names a core or server setting. Only the key is echoed,
 * never its value (a misspelt `SIGNING_KEY` still holds a secret).
 */
export function checkSettingNames(input: object, where: string): void {
  for (const key of Object.keys(input)) {
    if (!isSettingName(key)) {
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
 * Reads `tessera.config.json` with core's rules (`false` reads none; a path must exist; the
 * default file is read only when it exists), but knows the server's settings as well as core's:
 * core's own reader refuses keys it does not know.
 *
 * @throws {SettingsError} (setting `configFile`) when the file cannot be read, is not JSON or not
 * an object; (setting = the key) for an unknown key.
 */
export function readServerConfigFile(
  option: string | false | undefined,
  cwd: string,
): ServerConfigFile | undefined {
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
  const json = text.replace(/^\uFEFF/, '')
  let data: unknown
  try {
    data = JSON.parse(json)
  } catch (error) {
    throw new SettingsError(
      'configFile',
      `${path} is not valid JSON${describePosition(error, json)}`,
    )
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new SettingsError('configFile', `${path} must hold a JSON object of settings`)
  }
  checkSettingNames(data, path)
  return { path, values: data as Record<string, unknown> }
}
