// A PostgreSQL cluster of the bench's own (initdb in a temp dir, a free port, stopped and removed
// at clean-up): 20 instances would take most of a shared server's connections.
import { execFileSync, spawnSync } from 'node:child_process'
import { chownSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { freePort, onCleanup, startChild, waitUntil } from '../processes.js'

/** The newest installed PostgreSQL's bin directory (Debian's layout), or PATH's. */
function postgresBin() {
  try {
    const versions = readdirSync('/usr/lib/postgresql').sort((a, b) => Number(b) - Number(a))
    if (versions.length > 0) return `/usr/lib/postgresql/${versions[0]}/bin`
  } catch {
    // Not Debian's layout: rely on PATH.
  }
  return ''
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` user. */
function asServerUser(command, args) {
  const full = postgresBin() === '' ? command : path.join(postgresBin(), command)
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', full, ...args]]
    : [full, args]
}

/**
 * Starts a private cluster allowing `maxConnections`; resolves to its admin URL and that. Throws, saying what to install, when initdb is missing.
 */
export async function startPrivatePostgres({ maxConnections = 300 } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tessera-scale-pg-'))
  onCleanup('private PostgreSQL dir', () => rmSync(dir, { recursive: true, force: true }))
  if (process.getuid?.() === 0)
    chownSync(dir, Number(execFileSync('id', ['-u', 'postgres']).toString()), 0)
  const data = path.join(dir, 'data')
  const [initdb, initArgs] = asServerUser('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres'])
  const init = spawnSync(initdb, initArgs, { encoding: 'utf8' })
  if (init.status !== 0) {
    throw new Error(
      `initdb failed (install postgresql): ${init.error?.message ?? ''}${init.stderr}`,
    )
  }
  const port = await freePort()
  const [postgres, args] = asServerUser('postgres', [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `max_connections=${maxConnections}`,
    // A throwaway cluster: durability would only cost the shared disk.
    '-c',
    'fsync=off',
    '-c',
    'synchronous_commit=off',
    '-c',
    'full_page_writes=off',
  ])
  const child = startChild('private PostgreSQL', postgres, args)
  await waitUntil('private PostgreSQL', () => /ready to accept connections/.test(child.output()), {
    child,
    timeoutMs: 60_000,
  })
  // Registered after the dir's clean-up, so it runs first (newest first): stop, then remove.
  onCleanup('private PostgreSQL', async () => {
    // pg_ctl stops the server itself (fast: no waiting for clients), not only its runuser.
    const [pgCtl, stopArgs] = asServerUser('pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w'])
    spawnSync(pgCtl, stopArgs, { encoding: 'utf8' })
    await child.stop()
  })
  return { url: `postgres://postgres@127.0.0.1:${port}/postgres`, maxConnections }
}
