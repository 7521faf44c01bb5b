import { join } from 'node:path'
import { buildServer, loadServerConfig } from '@tessera/server'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'
import { createTestDatabase, POSTGRES_URL, type TestDatabase } from './service-fixtures.js'

// The CLI sets passwords by the rule of every password field (core's passwordFieldProblems):
// what it accepts logs in over HTTP exactly as typed, so it refuses what a login would refuse.

const tempDir = useTempDirs()
const PASSWORD = 'correct horse battery staple'
const BLANK = "Blank passwords aren't allowed."

beforeAll(requireBuiltCli)

/** A CLI bound to a fresh data directory (and a database URL, when given). */
function cli(env: Record<string, string> = {}) {
  const cwd = tempDir()
  const dataDir = join(cwd, 'data')
  const run = (args: string[], extra: { env?: Record<string, string>; input?: string } = {}) =>
    runTessera(args, {
      cwd,
      env: { TESSERA_DATA_DIR: dataDir, ...env, ...extra.env },
      ...(extra.input === undefined ? {} : { input: extra.input }),
    })
  return Object.assign(run, { dataDir })
}

describe('passwords set by the CLI', () => {
  it('createsuperuser --no-input refuses a whitespace-only password as blank', async () => {
    const tessera = cli()
    const run = await tessera(['createsuperuser', '--no-input', '--username', 'admin'], {
      env: { TESSERA_SUPERUSER_PASSWORD: '            ' },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      `tessera: error: the password in TESSERA_SUPERUSER_PASSWORD was refused: ${BLANK}\n`,
    )
    expect((await tessera(['users', 'list'])).stdout).toBe('No users.\n')
  })

  it('changepassword --password-from-env refuses a whitespace-only password as blank', async () => {
    const tessera = cli()
    const env = { TESSERA_SUPERUSER_PASSWORD: PASSWORD }
    await tessera(['createsuperuser', '--no-input', '--username', 'admin'], { env })
    const run = await tessera(['changepassword', 'admin', '--password-from-env'], {
      env: { TESSERA_CHANGEPASSWORD_PASSWORD: ' \t ' },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      `tessera: error: the password in TESSERA_CHANGEPASSWORD_PASSWORD was refused: ${BLANK}\n`,
    )
  })

  it('keeps surrounding whitespace: the password logs in over HTTP exactly as typed', async () => {
    const tessera = cli()
    const password = '  spaced out passphrase '
    const created = await tessera(['createsuperuser', '--no-input', '--username', 'admin'], {
      env: { TESSERA_SUPERUSER_PASSWORD: password },
    })
    expect(created.status).toBe(0)
    const server = await buildServer(
      loadServerConfig({
        env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY, TESSERA_DATA_DIR: tessera.dataDir },
        configFile: false,
      }),
      { logger: false },
    )
    try {
      const login = (attempt: string) =>
        server.app.inject({
          method: 'POST',
          url: '/api/token/',
          payload: { username: 'admin', password: attempt },
        })
      expect((await login(password)).statusCode).toBe(200)
      expect((await login(password.trim())).statusCode).toBe(401)
    } finally {
      await server.close()
    }
  })
})

const databases: { name: string; env: () => Record<string, string> }[] = [
  { name: 'SQLite', env: () => ({}) },
]
let postgres: TestDatabase | undefined
if (POSTGRES_URL !== undefined) {
  const serverUrl = POSTGRES_URL
  beforeAll(async () => {
    postgres = await createTestDatabase(serverUrl)
  })
  afterAll(async () => postgres?.drop())
  databases.push({
    name: 'PostgreSQL',
    env: () => ({ TESSERA_DATABASE_URL: (postgres as TestDatabase).url }),
  })
}

describe.each(databases)('createsuperuser, answers piped in, on $name', ({ env }) => {
  it('refuses U+0000 in the username and the password, asking again; never a store error', async () => {
    const tessera = cli(env())
    const input = [
      'ad\u0000min',
      'carol',
      '',
      'pass\u0000word phrase',
      'pass\u0000word phrase',
      PASSWORD,
      PASSWORD,
      '',
    ].join('\n')
    const run = await tessera(['createsuperuser'], { input })
    expect(run.stderr).toContain(
      'Error: Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    )
    expect(run.stderr).toContain('Error: Null characters are not allowed.')
    expect(run.stderr).not.toMatch(/unavailable|store/i)
    expect(run.status).toBe(0)
    expect(run.stdout).toBe('Superuser created successfully: carol (id 1).\n')
  })
})
