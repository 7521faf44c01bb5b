import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { freePort } from '../cli/service-fixtures.js'

const run = promisify(execFile)

// The fault tests stop PostgreSQL, so they run a cluster of their own: initdb into a temporary
// directory, a free port, a socket in that directory. The machine's shared server is never
// touched. PostgreSQL refuses to run as root, so under root (the CI container, the sandbox) the
// cluster belongs to the `postgres` user and every command runs through `runuser`.

/** A PostgreSQL cluster of the test's own, which it may stop and start again. */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`. */
  readonly url: string
  /** Starts the server and waits until it accepts connections. */
  start(): Promise<void>
  /** `pg_ctl stop -m immediate`: every connection drops at once, as in a crash. */
  stop(): Promise<void>
  /** Stops the server (if running) and removes the cluster. */
  destroy(): Promise<void>
}

/** The newest `/usr/lib/postgresql/<major>/bin`, or a failure saying what to install. */
function postgresBin(): string {
  const root = '/usr/lib/postgresql'
  const majors = existsSync(root)
    ? readdirSync(root)
        .filter((name) => existsSync(join(root, name, 'bin', 'pg_ctl')))
        .sort((a, b) => Number(b) - Number(a))
    : []
  const major = majors[0]
  if (major === undefined) {
    throw new Error(
      'the fault tests run a private PostgreSQL cluster and found no initdb/pg_ctl under ' +
        `${root}/<major>/bin: install the PostgreSQL server package (apt-get install postgresql)`,
    )
  }
  return join(root, major, 'bin')
}

/** Runs a PostgreSQL program as a user it accepts: `postgres` when we are root. */
async function asOwner(program: string, args: readonly string[]): Promise<void> {
  const asRoot = process.getuid?.() === 0
  const [file, argv] = asRoot
    ? ['runuser', ['-u', 'postgres', '--', program, ...args]]
    : [program, [...args]]
  try {
    await run(file, argv, { timeout: 60_000 })
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string }
    throw new Error(`${program} ${args[0] ?? ''} failed: ${stderr}${stdout}`)
  }
}

/**
 * Creates (initdb, trust authentication for the `postgres` role on loopback) a cluster in a
 * temporary directory, listening on a free port of 127.0.0.1. Not started: call `start()`.
 * `fsync=off`: a test cluster need not survive a power cut, and it spares the shared disk.
 */
export async function privatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBin()
  const dir = mkdtempSync(join(tmpdir(), 'tessera-pg-'))
  const data = join(dir, 'data')
  const log = join(dir, 'server.log')
  if (process.getuid?.() === 0) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('running as root, the fault tests need a `postgres` user to own the cluster')
    })
    const { stdout: gid } = await run('id', ['-g', 'postgres'])
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()))
  }
  await asOwner(join(bin, 'initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '--no-sync',
    '--no-instructions',
  ])
  const port = await freePort()
  const options = [
    `-p ${port}`,
    '-c listen_addresses=127.0.0.1',
    `-c unix_socket_directories=${dir}`,
    '-c fsync=off',
    '-c full_page_writes=off',
  ].join(' ')
  let running = false
  const stop = async () => {
    if (!running) return
    running = false
    await asOwner(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w'])
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    async start() {
      await asOwner(join(bin, 'pg_ctl'), ['start', '-D', data, '-l', log, '-o', options, '-w'])
      running = true
    },
    stop,
    async destroy() {
      await stop().catch(() => {})
      rmSync(dir, { recursive: true, force: true })
    },
  }
}
