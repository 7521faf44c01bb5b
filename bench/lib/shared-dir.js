// The team's measuring instruments live beside the repository, in ../shared: the peers the bench
// compares against and the reference simplejwt server. A plain clone has no such directory, so
// each use says what is missing and how to point at it instead of failing on a bare ENOENT.
import { existsSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))

/** `../shared/<parts>` beside this checkout. */
export function siblingSharedPath(...parts) {
  return path.resolve(REPO_ROOT, '..', 'shared', ...parts)
}

/**
 * Returns `dir` when it exists; otherwise throws an error naming what it is for and the
 * environment variable that moves it.
 */
export function requireInstrument(dir, what, variable) {
  if (existsSync(dir)) return dir
  throw new Error(
    `Not found: ${what} at ${dir}. It lives in the team's ../shared directory beside the ` +
      `repository, which a plain clone does not have; set ${variable} to where it is.`,
  )
}
