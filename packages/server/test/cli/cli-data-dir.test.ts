import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'

// Issue 23: `TESSERA_DATA_DIR=/proc/forbidden` hung every command (Node's recursive mkdir loops
// on procfs's ENOENT). Each run is killed after HANG_MS, so a hang fails the test.

const tempDir = useTempDirs()
const HANG_MS = 15_000
const PASSWORD = 'correct horse battery staple'

beforeAll(requireBuiltCli)

/** The commands that create the data directory, with what they need to get that far. */
const COMMANDS: readonly { args: string[]; env: Record<string, string> }[] = [
  { args: ['serve', '--port', '0'], env: {} },
  { args: ['migrate'], env: {} },
  {
    args: ['createsuperuser', '--no-input', '--username', 'admin', '--email', 'a@example.com'],
    env: { TESSERA_SUPERUSER_PASSWORD: PASSWORD },
  },
]

const SQLITE_DIR = 'the directory of the SQLite database'
const FIX = {
  // serve creates the development key first; the others open the database first.
  serve: 'set TESSERA_DATA_DIR to a directory this user can write',
  store: 'set TESSERA_DATA_DIR (or a sqlite: TESSERA_DATABASE_URL) to a place this user can write',
}

function expected(command: string, dataDir: string, reason: string): string {
  return command === 'serve'
    ? `tessera: error: cannot create the data directory ${dataDir}: ${reason}; ${FIX.serve}\n`
    : `tessera: error: cannot create ${SQLITE_DIR} ${dataDir}: ${reason}; ${FIX.store}\n`
}

function run(args: readonly string[], dataDir: string, env: Record<string, string> = {}) {
  return runTessera(args, {
    cwd: tempDir(),
    env: { TESSERA_DATA_DIR: dataDir, ...env },
    timeoutMs: HANG_MS,
  })
}

describe.runIf(process.platform === 'linux')(
  'a DATA_DIR that cannot be created (Linux /proc)',
  () => {
    it.each(COMMANDS)(
      'tessera $args.0 fails at once, naming the directory and why',
      async ({ args, env }) => {
        const result = await run(args, '/proc/forbidden', env)
        expect(result.stderr).toBe(
          expected(
            args[0] as string,
            '/proc/forbidden',
            '/proc does not allow new directories (ENOENT)',
          ),
        )
        expect(result.status).toBe(1)
        expect(result.stdout).toBe('')
      },
    )

    it('a deeper path fails on its first missing parent', async () => {
      const result = await run(['migrate'], '/proc/forbidden/data')
      expect(result.stderr).toBe(
        expected(
          'migrate',
          '/proc/forbidden/data',
          '/proc does not allow new directories (ENOENT)',
        ),
      )
      expect(result.status).toBe(1)
    })

    it('an existing directory that takes no files: the key and the database say so', async () => {
      const serve = await run(['serve', '--port', '0'], '/proc')
      expect(serve.stderr).toBe(
        'tessera: error: cannot write the development signing key in /proc: /proc does not allow ' +
          `new files (ENOENT); ${FIX.serve}\n`,
      )
      expect(serve.status).toBe(1)
      const migrate = await run(['migrate'], '/proc')
      expect(migrate.stderr).toBe(
        'tessera: error: cannot open the SQLite database /proc/tessera.sqlite3: /proc does not ' +
          `allow new files (ENOENT); ${FIX.store}\n`,
      )
      expect(migrate.status).toBe(1)
    })
  },
)

describe('a DATA_DIR under a regular file', () => {
  it.each(COMMANDS)(
    'tessera $args.0 names the file that is in the way (ENOTDIR)',
    async ({ args, env }) => {
      const cwd = tempDir()
      const file = join(cwd, 'not-a-dir')
      writeFileSync(file, '')
      const dataDir = join(file, 'data')
      const result = await run(args, dataDir, env)
      expect(result.stderr).toBe(
        expected(args[0] as string, dataDir, `${file} is not a directory (ENOTDIR)`),
      )
      expect(result.status).toBe(1)
    },
  )

  it('a DATA_DIR that is a file says it is not a directory', async () => {
    const cwd = tempDir()
    const file = join(cwd, 'data')
    writeFileSync(file, '')
    const result = await run(['migrate'], file)
    expect(result.stderr).toBe(
      `tessera: error: cannot use ${SQLITE_DIR} ${file}: it exists and is not a directory; ${FIX.store}\n`,
    )
    expect(result.status).toBe(1)
  })

  it('a DATA_DIR with missing parents is still created', async () => {
    const cwd = tempDir()
    const dataDir = join(cwd, 'a', 'b', 'data')
    const result = await run(['migrate'], dataDir)
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(existsSync(join(dataDir, 'tessera.sqlite3'))).toBe(true)
  })
})
