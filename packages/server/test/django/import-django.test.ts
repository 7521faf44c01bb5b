import { randomBytes } from 'node:crypto'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  AuthService,
  hasPermissions,
  loadSettings,
  type RequestUser,
  type Stores,
  TokenRevokedError,
} from '@tessera/core'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'
import Database from 'better-sqlite3'
import { beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../../../core/test/service-gate.js'
import { openDjangoSource } from '../../src/django/django-source.js'
import { readDjango } from '../../src/django/read-django.js'
import { requireBuiltCli, runTessera } from '../cli/run-tessera.js'
import { createTestDatabase, POSTGRES_URL } from '../cli/service-fixtures.js'
import { useTempDirs } from '../temp-dir.js'
import { FIXTURE, FIXTURE_DATABASE, MINTED_AT } from './django-fixture.js'
import { loadFixtureIntoPostgres } from './load-fixture-into-postgres.js'

const tempDir = useTempDirs()
const NOW = MINTED_AT + 60
const AUTH_USER = { table: 'auth_user', columns: {}, linkColumn: 'user_id' }

async function importFixture(): Promise<{ stores: Stores; auth: AuthService }> {
  const source = await openDjangoSource(FIXTURE_DATABASE)
  const snapshot = await readDjango(source, AUTH_USER).finally(() => source.close())
  const stores = await createSqliteStores({
    database: await openSqliteDatabase(join(tempDir(), 'tessera.sqlite3')),
  })
  await stores.migrate()
  const report = await stores.imports.importSnapshot(snapshot, {
    dryRun: false,
    now: NOW,
    newSessionId: () => randomBytes(16).toString('hex'),
  })
  expect(report).toEqual({
    users: {
      created: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'],
      updated: [],
      unchanged: 0,
    },
    permissions: 24,
    groups: 1,
    linksChanged: 1,
    sessions: { created: 2, revoked: 0, unchanged: 2 },
    problems: [],
  })
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: FIXTURE.signing_key },
  })
  return { stores, auth: new AuthService({ stores, settings, clock: () => NOW }) }
}

describe('a Django + simplejwt database, imported', () => {
  let stores: Stores
  let auth: AuthService
  beforeAll(async () => {
    ;({ stores, auth } = await importFixture())
  })

  it('logs every user in with their Django password, then keeps an argon2id hash', async () => {
    const context = { ip: '127.0.0.1', device: 'test' }
    for (const user of FIXTURE.users) {
      if (user.password === null || user.is_active === false) {
        await expect(auth.login(user.username, user.password ?? 'x', context)).rejects.toThrow()
        continue
      }
      const login = await auth.login(user.username, user.password, context)
      expect(login.user.id, user.username).toBe(String(user.id))
      const stored = await stores.users.findUserById(String(user.id))
      expect(stored?.password, `${user.hasher} upgraded`).toMatch(/^argon2\$argon2id\$/)
    }
  })

  it("accepts Django's access tokens, integer user_id and no kid", () => {
    for (const token of FIXTURE.tokens) {
      const result = auth.tokens.verifier.verify(token.access, 'access')
      expect(result.ok && result.token.userId).toBe(String(token.user_id))
    }
  })

  it('refreshes outstanding refresh tokens into sessions and refuses blacklisted ones', async () => {
    const context = { ip: '127.0.0.1', device: 'test' }
    for (const token of FIXTURE.tokens) {
      if (token.state === 'blacklisted') {
        await expect(auth.rotateRefresh(token.refresh, context)).rejects.toBeInstanceOf(
          TokenRevokedError,
        )
        continue
      }
      const rotated = await auth.rotateRefresh(token.refresh, context)
      expect(rotated.refresh?.claims.sid).toBe(rotated.sessionId)
      expect(rotated.access.claims.user_id).toBe(token.user_id)
      // Rotated: the Django token is spent now, as simplejwt's blacklist-after-rotation.
      await expect(auth.rotateRefresh(token.refresh, context)).rejects.toBeInstanceOf(
        TokenRevokedError,
      )
    }
  })

  it('answers hasPermissions as Django would: direct, through groups, and superusers', async () => {
    const allowed = async (id: string, ...permissions: string[]) => {
      const record = await stores.users.findUserById(id)
      if (record === undefined) throw new Error(`no user ${id}`)
      const user: RequestUser = {
        isAuthenticated: true,
        id,
        record,
        token: undefined as never,
      }
      return hasPermissions(...permissions).check({
        method: 'GET',
        user,
        permissions: async () => new Set(await stores.permissions.listUserPermissions(id)),
      })
    }
    // staff_editor: auth.add_group directly; auth.change_user and auth.view_user as an editor.
    expect(await allowed('9', 'auth.add_group', 'auth.change_user', 'auth.view_user')).toBe(true)
    expect(await allowed('9', 'auth.delete_user')).toBe(false)
    expect(await allowed('2', 'auth.view_user')).toBe(false)
    expect(await allowed('1', 'auth.delete_user', 'blog.anything')).toBe(true)
  })
})

describe('tessera import-django', () => {
  beforeAll(requireBuiltCli)

  it('imports the fixture, then finds nothing to change, and writes nothing in a dry run', async () => {
    const cwd = tempDir()
    const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
    const dry = await runTessera(['import-django', '--from', FIXTURE_DATABASE, '--dry-run'], {
      cwd,
      env,
    })
    expect(dry.status).toBe(0)
    expect(dry.stdout).toContain('(dry run: nothing written)')
    expect(dry.stdout).toContain('users:       10 created, 0 updated, 0 unchanged')
    const first = await runTessera(['import-django', '--from', FIXTURE_DATABASE], { cwd, env })
    expect(first.stdout).toContain('users:       10 created, 0 updated, 0 unchanged')
    expect(first.stdout).toContain('left out:    nothing')
    const again = await runTessera(['import-django', '--from', FIXTURE_DATABASE], { cwd, env })
    expect(again.status).toBe(0)
    expect(again.stdout).toContain('users:       0 created, 0 updated, 10 unchanged')
    const users = await runTessera(['users', 'list'], { cwd, env })
    expect(users.stdout).toContain('spiderman')
  })

  it("reads a custom user model's table, link column and renamed columns", async () => {
    const cwd = tempDir()
    const custom = join(cwd, 'custom.sqlite3')
    copyFileSync(FIXTURE_DATABASE, custom)
    const db = new Database(custom)
    db.exec(`
      alter table auth_user rename to accounts_account;
      alter table accounts_account rename column email to email_address;
      alter table auth_user_groups rename to accounts_account_groups;
      alter table accounts_account_groups rename column user_id to account_id;
      alter table auth_user_user_permissions rename to accounts_account_user_permissions;
      alter table accounts_account_user_permissions rename column user_id to account_id;
    `)
    db.close()
    const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
    const plain = await runTessera(['import-django', '--from', custom], { cwd, env })
    expect(plain.status).not.toBe(0)
    expect(plain.stderr).toContain('cannot read the Django tables of')
    expect(plain.stderr).toContain('no such table: auth_user')
    expect(plain.stderr).toContain('--user-table')
    const run = await runTessera(
      [
        'import-django',
        '--from',
        custom,
        '--user-table',
        'accounts_account',
        '--user-link-column',
        'account_id',
        '--map',
        'email=email_address',
      ],
      { cwd, env },
    )
    expect(run.stdout).toContain('users:       10 created, 0 updated, 0 unchanged')
    expect(run.stdout).toContain('users whose groups or permissions changed: 1')
    const shown = await runTessera(['users', 'show', 'spiderman', '--json'], { cwd, env })
    expect(JSON.parse(shown.stdout)).toMatchObject({ email: 'peter@example.com' })
  })

  it('explains a missing source and a bad column map, without a stack trace', async () => {
    const cwd = tempDir()
    const missing = await runTessera(['import-django', '--from', join(cwd, 'nope.sqlite3')], {
      cwd,
      env: { TESSERA_DATA_DIR: join(cwd, 'data') },
    })
    expect(missing.status).not.toBe(0)
    expect(missing.stderr).toContain('cannot open')
    expect(missing.stderr).not.toMatch(/\n\s+at /)
    const map = await runTessera(
      ['import-django', '--from', FIXTURE_DATABASE, '--map', 'mail=email_address'],
      { cwd, env: { TESSERA_DATA_DIR: join(cwd, 'data') } },
    )
    expect(map.status).not.toBe(0)
    expect(map.stderr).toContain('--map takes field=column pairs')
  })
})

describe('tessera import-django from PostgreSQL', () => {
  if (POSTGRES_URL === undefined) {
    serviceNotConfigured('import from a Django database on PostgreSQL', [
      'TESSERA_TEST_POSTGRES_URL',
    ])
    return
  }
  const serverUrl = POSTGRES_URL
  beforeAll(requireBuiltCli)

  it('reads the same database from PostgreSQL as from SQLite', async () => {
    const database = await createTestDatabase(serverUrl)
    try {
      await loadFixtureIntoPostgres(database.url)
      const source = await openDjangoSource(database.url)
      const fromPostgres = await readDjango(source, AUTH_USER).finally(() => source.close())
      const sqlite = await openDjangoSource(FIXTURE_DATABASE)
      const fromSqlite = await readDjango(sqlite, AUTH_USER).finally(() => sqlite.close())
      expect(fromPostgres).toEqual(fromSqlite)
      const cwd = tempDir()
      const run = await runTessera(['import-django', '--from', database.url], {
        cwd,
        env: { TESSERA_DATA_DIR: join(cwd, 'data') },
      })
      expect(run.status).toBe(0)
      expect(run.stdout).toContain('users:       10 created, 0 updated, 0 unchanged')
      expect(run.stdout).not.toContain(new URL(database.url).password || '\u0000')
    } finally {
      await database.drop()
    }
  })
})
