import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../../../core/test/service-gate.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { type PostgresStandIn, startPostgresStandIn } from './postgres-stand-in.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'
import { POSTGRES_URL } from './service-fixtures.js'

// Issue 23: a PostgreSQL that refused the connection or the password printed only
// "tessera: error: migration failed". Every command that opens the store now says why, where
// (the URL without its password) and what to do; the password never appears.

const tempDir = useTempDirs()
const SECRET = `pw-${randomBytes(8).toString('hex')}`
const HANG_MS = 20_000
const URL_HINT = 'TESSERA_DATABASE_URL'

beforeAll(requireBuiltCli)

const standIns: PostgresStandIn[] = []
afterEach(async () => {
  for (const standIn of standIns.splice(0)) await standIn.close()
})

/** Every command that opens the store, with what it needs to get that far. */
const COMMANDS: readonly (readonly string[])[] = [
  ['serve', '--port', '0'],
  ['migrate'],
  ['createsuperuser', '--no-input', '--username', 'admin', '--email', 'a@example.com'],
  ['changepassword', 'admin', '--password-from-env'],
  ['users', 'list'],
  ['flushexpiredtokens'],
]

function run(args: readonly string[], databaseUrl: string, env: Record<string, string> = {}) {
  const cwd = tempDir()
  return runTessera(args, {
    cwd,
    env: {
      TESSERA_DATABASE_URL: databaseUrl,
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
      TESSERA_DATA_DIR: join(cwd, 'data'),
      TESSERA_SUPERUSER_PASSWORD: 'correct horse battery staple',
      TESSERA_CHANGEPASSWORD_PASSWORD: 'correct horse battery staple',
      // No ~/.pgpass of the machine may supply a password.
      PGPASSFILE: join(cwd, 'no-pgpass'),
      ...env,
    },
    timeoutMs: HANG_MS,
  })
}

function expectOneLine(result: { stdout: string; stderr: string; status: number | null }) {
  expect(result.status).toBe(1)
  expect(result.stderr.trim().split('\n')).toHaveLength(1)
  expect(`${result.stdout}${result.stderr}`).not.toContain(SECRET)
}

describe('a PostgreSQL that refuses the connection', () => {
  it.each(COMMANDS)(
    'tessera %s ... says connection refused, where, and what to check',
    async (...args) => {
      const result = await run(args, `postgres://app:${SECRET}@127.0.0.1:1/tessera`)
      expect(result.stderr).toBe(
        'tessera: error: cannot connect to PostgreSQL postgres://app@127.0.0.1:1/tessera: ' +
          'connection refused (ECONNREFUSED); check that PostgreSQL is running and listening on ' +
          `the host and port of ${URL_HINT}\n`,
      )
      expect(result.stdout).not.toMatch(/listening on http/)
      expectOneLine(result)
    },
  )

  it('an unknown host: host not found (or DNS did not answer, without DNS)', async () => {
    const result = await run(['migrate'], `postgres://app:${SECRET}@no-such-host.invalid/tessera`)
    expect(result.stderr).toMatch(
      /^tessera: error: cannot connect to PostgreSQL postgres:\/\/app@no-such-host\.invalid\/tessera: (host not found \(ENOTFOUND\); check the host name|the host name could not be resolved .*\(EAI_AGAIN\);)/,
    )
    expectOneLine(result)
  })
})

describe('a PostgreSQL that refuses the password (a wire-protocol stand-in)', () => {
  it.each(COMMANDS)(
    'tessera %s ... says password authentication failed (28P01)',
    async (...args) => {
      const standIn = await startPostgresStandIn({ kind: 'refuse-password', user: 'app' })
      standIns.push(standIn)
      const result = await run(args, `postgres://app:${SECRET}@127.0.0.1:${standIn.port}/tessera`)
      expect(result.stderr).toBe(
        `tessera: error: cannot connect to PostgreSQL postgres://app@127.0.0.1:${standIn.port}/tessera: ` +
          `password authentication failed for user "app" (28P01); check the user and password in ${URL_HINT}\n`,
      )
      // The driver had the password (it sent it), and nothing printed it.
      expect(standIn.passwords).toContain(SECRET)
      expectOneLine(result)
    },
  )

  it('a server asking for a password the URL lacks: says so, and exits at once', async () => {
    const standIn = await startPostgresStandIn({ kind: 'scram' })
    standIns.push(standIn)
    // The stand-in never closes the connection: before the fix the CLI waited for it.
    const result = await run(['migrate'], `postgres://app@127.0.0.1:${standIn.port}/tessera`)
    expect(result.stderr).toBe(
      `tessera: error: cannot connect to PostgreSQL postgres://app@127.0.0.1:${standIn.port}/tessera: ` +
        `the server asks for a password and none is given; put it in ${URL_HINT} ` +
        '(postgres://user:password@host/db) or in ~/.pgpass\n',
    )
    expectOneLine(result)
  })
})

if (POSTGRES_URL === undefined) {
  serviceNotConfigured('PostgreSQL login and migration errors', ['TESSERA_TEST_POSTGRES_URL'])
} else {
  const serverUrl = POSTGRES_URL
  const suffix = () => randomBytes(6).toString('hex')

  /** Runs `statements` as the test server's user, one at a time. */
  async function admin(...statements: string[]): Promise<void> {
    const { default: pg } = await import('pg')
    const client = new pg.Client({ connectionString: serverUrl })
    await client.connect()
    try {
      for (const statement of statements) await client.query(statement)
    } finally {
      await client.end()
    }
  }

  /** The test server's URL with another user, password and database. */
  function urlWith(user: string | undefined, password: string, database?: string): string {
    const url = new URL(serverUrl)
    if (user !== undefined) url.username = user
    url.password = password
    if (database !== undefined) url.pathname = `/${database}`
    return url.toString()
  }

  function display(url: string): string {
    const parsed = new URL(url)
    parsed.password = ''
    parsed.search = ''
    return parsed.toString()
  }

  describe('a real PostgreSQL that refuses the login or the migration', () => {
    it('an unknown database: 3D000, named, with what to do', async () => {
      const url = urlWith(undefined, SECRET, `tessera_missing_${suffix()}`)
      const database = new URL(url).pathname.slice(1)
      const result = await run(['migrate'], url)
      expect(result.stderr).toBe(
        `tessera: error: cannot connect to PostgreSQL ${display(url)}: database "${database}" ` +
          `does not exist (3D000); create it (CREATE DATABASE), or fix the database name in ${URL_HINT}\n`,
      )
      expectOneLine(result)
    })

    it('an unknown role: 28000, named, with what to do', async () => {
      const role = `tessera_no_role_${suffix()}`
      const url = urlWith(role, SECRET)
      const result = await run(['users', 'list'], url)
      expect(result.stderr).toBe(
        `tessera: error: cannot connect to PostgreSQL ${display(url)}: role "${role}" does not ` +
          `exist (28000); create the role, or fix the user in ${URL_HINT}\n`,
      )
      expectOneLine(result)
    })

    it('a role that may not create tables: 42501 and the GRANT that fixes it', async () => {
      const name = `tessera_no_create_${suffix()}`
      await admin(`create database "${name}"`, `create role "${name}" login password '${SECRET}'`)
      try {
        // PostgreSQL 15 and later refuse CREATE in public to other roles already; earlier
        // versions allow it to PUBLIC.
        const database = urlWith(undefined, '', name)
        const { default: pg } = await import('pg')
        const owner = new pg.Client({ connectionString: database })
        await owner.connect()
        await owner.query('revoke create on schema public from public')
        await owner.end()
        const url = urlWith(name, SECRET, name)
        const result = await run(['migrate'], url)
        expect(result.stderr).toBe(
          `tessera: error: cannot migrate PostgreSQL ${display(url)}: permission denied, the ` +
            "user may not create or change Tessera's tables (42501); GRANT CREATE ON SCHEMA " +
            `public TO "${name}", or run 'tessera migrate' as the database's owner\n`,
        )
        expect(result.stdout).toBe(`Database: PostgreSQL ${display(url)}\n`)
        expectOneLine(result)
      } finally {
        await admin(
          `drop database if exists "${name}" with (force)`,
          `drop role if exists "${name}"`,
        )
      }
    })
  })
}
