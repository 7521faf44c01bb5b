import { randomBytes } from 'node:crypto'
import { linkSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { KeyError, SettingsError } from '@tessera/core'
import { creationRefusal, ensureDataDir, fileErrorCode } from './data-dir.js'

/** File name of the development signing key inside `DATA_DIR`. */
export const DEVELOPMENT_KEY_FILE = 'signing-key'

/** Mode of the key file: readable and writable by its owner only. */
export const DEVELOPMENT_KEY_MODE = 0o600

// 48 random bytes, base64url: 64 characters, enough for HS256, HS384 and HS512 alike.
const KEY_BYTES = 48
const KEY_PATTERN = /^[A-Za-z0-9_-]{64}$/

/** The development key of a data directory, and whether this call created it. */
export interface DevelopmentKey {
  /** The secret (64 base64url characters). Never print it. */
  readonly secret: string
  /** Absolute path of the key file. */
  readonly path: string
  /** True when this call generated the key. */
  readonly created: boolean
}

/** Path of the development key file of `dataDir`. */
export function developmentKeyPath(dataDir: string): string {
  return join(dataDir, DEVELOPMENT_KEY_FILE)
}

/**
 * Reads the development key of `dataDir` without creating anything; undefined when there is none.
 *
 * @throws {KeyError} When the file exists but does not hold a key Tessera generated.
 */
export function readDevelopmentKey(dataDir: string): string | undefined {
  const path = developmentKeyPath(dataDir)
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = fileErrorCode(error)
    // ENOTDIR: DATA_DIR is under a file; creating it will say so.
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined
    throw new KeyError(
      code === 'EACCES'
        ? `cannot read the development signing key ${path}: this user may not read it (EACCES)`
        : `cannot read the development signing key ${path} (${code})`,
    )
  }
  const secret = text.trim()
  if (!KEY_PATTERN.test(secret)) {
    throw new KeyError(
      `${path} does not hold a generated key; delete it to generate a new one ` +
        '(tokens signed with the old key stop verifying)',
    )
  }
  return secret
}

/**
 * Returns the development signing key kept in `dataDir`, generating it on first use: 48 random
 * bytes, base64url, in `<dataDir>/signing-key` with mode 0600 (the directory is created 0700).
 * Safe when several processes start together: the file appears atomically (written aside, then
 * hard-linked into place), so every process reads the same complete key.
 */
export function loadOrCreateDevelopmentKey(dataDir: string): DevelopmentKey {
  const path = developmentKeyPath(dataDir)
  const existing = readDevelopmentKey(dataDir)
  if (existing !== undefined) return { secret: existing, path, created: false }

  ensureDataDir(dataDir)
  const secret = randomBytes(KEY_BYTES).toString('base64url')
  const temporary = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  try {
    writeFileSync(temporary, `${secret}\n`, { mode: DEVELOPMENT_KEY_MODE, flag: 'wx' })
  } catch (error) {
    throw new SettingsError(
      'DATA_DIR',
      `cannot write the development signing key in ${dataDir}: ` +
        `${creationRefusal(fileErrorCode(error), dataDir, 'files')}; ` +
        'set TESSERA_DATA_DIR to a directory this user can write',
    )
  }
  try {
    linkSync(temporary, path)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    // Another process won the race: use its key.
    const winner = readDevelopmentKey(dataDir)
    if (winner === undefined) throw error
    return { secret: winner, path, created: false }
  } finally {
    unlinkSync(temporary)
  }
  return { secret, path, created: true }
}

/** True when the key file can be read by group or others (POSIX only). */
export function isKeyFileExposed(path: string): boolean {
  if (process.platform === 'win32') return false
  return (statSync(path).mode & 0o077) !== 0
}
