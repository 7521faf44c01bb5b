import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** The repository this checkout was cloned from, when it is a local path (a CI clone). */
function originPath(): string | undefined {
  try {
    const url = execFileSync('git', ['config', '--get', 'remote.origin.url'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    }).trim()
    return url.startsWith('/') ? url : undefined
  } catch {
    return undefined
  }
}

/**
 * A path inside the team's shared directory (`../shared`: the docs and fixtures the tests check
 * against), looked for beside this checkout, then beside the repository it was cloned from, or
 * where `TESSERA_SHARED_DIR` says. Throws, never skips, when it is nowhere.
 */
export function sharedPath(...parts: string[]): string {
  const origin = originPath()
  const candidates = [
    process.env.TESSERA_SHARED_DIR,
    resolve(REPO_ROOT, '..', 'shared'),
    origin === undefined ? undefined : join(dirname(resolve(origin)), 'shared'),
  ].filter((dir): dir is string => dir !== undefined)
  for (const dir of candidates) {
    const path = join(dir, ...parts)
    if (existsSync(path)) return path
  }
  throw new Error(`${join('shared', ...parts)} not found in ${candidates.join(', ')}`)
}
