import { chmodSync, mkdirSync, statSync } from 'node:fs'
import { SettingsError } from '@tessera/core'

/** Mode of the data directory: only its owner may list or enter it. */
export const DATA_DIR_MODE = 0o700

/**
 * Creates the data directory (and its parents) with mode 0700 when it is missing. An existing
 * directory keeps its mode: an operator may have chosen another on purpose.
 *
 * @throws {SettingsError} (`DATA_DIR`) when the path exists and is not a directory, or cannot be
 * created.
 */
export function ensureDataDir(path: string): void {
  let created: string | undefined
  try {
    created = mkdirSync(path, { recursive: true, mode: DATA_DIR_MODE })
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error'
    throw new SettingsError('DATA_DIR', `cannot create the data directory ${path} (${code})`)
  }
  if (created === undefined && !statSync(path).isDirectory()) {
    throw new SettingsError('DATA_DIR', `DATA_DIR ${path} exists and is not a directory`)
  }
  // mkdir applies the umask; a umask of 0o077 or looser leaves 0700, but say it once explicitly.
  if (created !== undefined && process.platform !== 'win32') chmodSync(path, DATA_DIR_MODE)
}
