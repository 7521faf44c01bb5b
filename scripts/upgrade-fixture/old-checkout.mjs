// The old version of an upgrade fixture (scripts/make-upgrade-fixture.mjs): its tree checked out
// beside this one, built, and its `tessera` CLI run and served.
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readdirSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** This checkout's root. */
export const root = fileURLToPath(new URL('../..', import.meta.url))

/** Runs git in this checkout; resolves to its trimmed stdout. */
export function git(...args) {
  const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`)
  return run.stdout.trim()
}

/**
 * `commit`'s tree, built, with this checkout's node_modules linked in: in a new git worktree
 * (removed by `remove()`), or in `tree`, a worktree of that commit made before (rebuilt only as
 * far as `tsc -b` finds it stale).
 */
export function checkOut(commit, tree) {
  const dir = tree ?? mkdtempSync(join(tmpdir(), `tessera-upgrade-${commit}-`))
  const modules = join(dir, 'node_modules')
  if (tree === undefined) {
    git('worktree', 'add', '--detach', dir, commit)
    linkModules(dir, modules)
  }
  console.log(`building ${commit} in ${dir}`)
  const build = spawnSync('nice', [join(modules, '.bin', 'tsc'), '-b'], {
    cwd: dir,
    stdio: 'inherit',
  })
  if (build.status !== 0) {
    if (tree === undefined) git('worktree', 'remove', '--force', dir)
    throw new Error(`tsc -b failed for ${commit}`)
  }
  const migrations = readdirSync(join(dir, 'packages/core/src/stores/sql'))
    .filter((name) => /^migration-\d{4}/.test(name))
    .map((name) => name.replace(/^migration-/, '').replace(/\.ts$/, ''))
    .sort()
  return {
    dir,
    cli: join(dir, 'packages/server/dist/cli.js'),
    migrations,
    remove: () => tree === undefined && git('worktree', 'remove', '--force', dir),
  }
}

/**
 * node_modules of the old tree: links to this checkout's packages, except @tessera/*, which
 * point at the old tree's own packages.
 */
function linkModules(dir, modules) {
  mkdirSync(join(modules, '@tessera'), { recursive: true })
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '@tessera') continue
    symlinkSync(join(root, 'node_modules', entry), join(modules, entry))
  }
  for (const name of readdirSync(join(dir, 'packages')))
    symlinkSync(join('..', '..', 'packages', name), join(modules, '@tessera', name))
}

// The parent's environment without TESSERA_* variables, plus `env`.
function cliEnv(env) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TESSERA_')),
  )
  return { ...clean, ...env }
}

/** Runs the old CLI to completion; throws with its output when it fails. */
export function runCli(old, env, args, extra = {}) {
  const run = spawnSync(process.execPath, [old.cli, ...args], {
    env: cliEnv({ ...env, ...extra }),
    encoding: 'utf8',
    input: '',
  })
  if (run.status !== 0) throw new Error(`tessera ${args.join(' ')}: ${run.stdout}${run.stderr}`)
  return run.stdout
}

/** Starts the old `tessera serve` on a free port; resolves once it listens. */
export async function serve(old, env) {
  const child = spawn(process.execPath, [old.cli, 'serve', '--port', '0'], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000)
    const read = (chunk) => {
      output += chunk
      const match = /listening on (https?:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)))
  })
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', resolve)
        child.kill('SIGTERM')
      }),
  }
}
