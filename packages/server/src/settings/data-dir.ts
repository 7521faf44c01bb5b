import { chmodSync, mkdirSync, type Stats, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { SettingsError } from '@tessera/core'

/** Mode of the data directory: only its owner may list or enter it. */
export const DATA_DIR_MODE = 0o700

/** What {@link ensureDataDir} creates, for its error messages. */
export interface DataDirPurpose {
  /** Names the directory in a message. Default `the data directory`. */
  readonly what?: string
  /** What to do about a failure. Default: point TESSERA_DATA_DIR at a writable directory. */
  readonly fix?: string
}

const DEFAULT_PURPOSE = {
  what: 'the data directory',
  fix: 'set TESSERA_DATA_DIR to a directory this user can write',
}

/** The errno name of a file-system error (`EACCES`), or `error`. */
export function fileErrorCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code
  return typeof code === 'string' && /^[A-Z0-9_]{1,32}$/.test(code) ? code : 'error'
}

/**
 * Why a new directory or file could not be made in `parent`, in words, with the errno code:
 * `/proc does not allow new directories (ENOENT)`.
 */
export function creationRefusal(
  code: string,
  parent: string,
  kind: 'directories' | 'files',
): string {
  switch (code) {
    case 'EACCES':
      return kind === 'files'
        ? `this user may not write the file, or in ${parent} (EACCES)`
        : `this user may not write in ${parent} (EACCES)`
    // procfs answers ENOENT, sysfs EPERM, to a new name in a directory that exists.
    case 'ENOENT':
    case 'EPERM':
      return `${parent} does not allow new ${kind} (${code})`
    case 'EROFS':
      return `${parent} is on a read-only file system (EROFS)`
    case 'ENOSPC':
      return 'no space left on the device (ENOSPC)'
    case 'EDQUOT':
      return 'the disk quota is exhausted (EDQUOT)'
    case 'ENAMETOOLONG':
      return 'the path is too long (ENAMETOOLONG)'
    case 'ELOOP':
      return 'too many symbolic links in the path (ELOOP)'
    default:
      return `the file system refused it (${code})`
  }
}

function statOrCode(path: string): Stats | string {
  try {
    return statSync(path)
  } catch (error) {
    return fileErrorCode(error)
  }
}

/**
 * Creates the data directory (and its parents) with mode 0700 when it is missing. An existing
 * directory keeps its mode: an operator may have chosen another on purpose.
 *
 * The parents are created one at a time rather than with `mkdirSync(..., { recursive: true })`:
 * Node's recursive mkdir reads ENOENT as "the parent is missing", creates the parent (EEXIST),
 * and tries again, forever, where a file system answers ENOENT for a parent that exists
 * (`/proc/x` on Linux, a dangling symbolic link). Here every failure is final.
 *
 * @throws {SettingsError} (`DATA_DIR`) when the path, or one of its parents, exists and is not a
 * directory, or cannot be created; one line naming the directory, the reason and its errno code.
 */
export function ensureDataDir(path: string, purpose: DataDirPurpose = {}): void {
  const { what, fix } = { ...DEFAULT_PURPOSE, ...purpose }
  const failure = (reason: string) =>
    new SettingsError('DATA_DIR', `cannot create ${what} ${path}: ${reason}; ${fix}`)
  const target = resolve(path)
  // Walk up to the nearest path that exists; everything below it is to be created.
  const missing: string[] = []
  for (let at = target; ; ) {
    const found = statOrCode(at)
    if (typeof found !== 'string') {
      if (found.isDirectory()) break
      if (at === target) {
        throw new SettingsError(
          'DATA_DIR',
          `cannot use ${what} ${path}: it exists and is not a directory; ${fix}`,
        )
      }
      throw failure(`${at} is not a directory (ENOTDIR)`)
    }
    // ENOTDIR: a parent is a file; the walk finds which one.
    if (found === 'EACCES') {
      throw failure(`this user may not enter a directory above ${at} (EACCES)`)
    }
    if (found !== 'ENOENT' && found !== 'ENOTDIR') throw failure(`cannot look up ${at} (${found})`)
    const parent = dirname(at)
    if (parent === at) throw failure(`${at} does not exist (ENOENT)`)
    missing.unshift(at)
    at = parent
  }
  for (const directory of missing) {
    try {
      mkdirSync(directory, { mode: DATA_DIR_MODE })
    } catch (error) {
      const code = fileErrorCode(error)
      // Another process made it first (several workers start at once): fine if a directory.
      if (code === 'EEXIST') {
        const found = statOrCode(directory)
        if (typeof found !== 'string' && found.isDirectory()) continue
        throw failure(`${directory} exists and is not a directory (EEXIST)`)
      }
      throw failure(creationRefusal(code, dirname(directory), 'directories'))
    }
  }
  // mkdir applies the umask; a umask of 0o077 or looser leaves 0700, but say it once explicitly.
  if (missing.length > 0 && process.platform !== 'win32') chmodSync(target, DATA_DIR_MODE)
}
