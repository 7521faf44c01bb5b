import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { createTestDatabase, type TestDatabase } from '../cli/service-fixtures.js'

// The upgrade fixtures (issue 31, item 6): databases written by earlier versions of Tessera
// through their own CLI and HTTP API (scripts/make-upgrade-fixture.mjs), with a manifest of what
// each holds. This file reads them and restores them; upgrade-checks.ts holds the checks.

/** Where the fixtures live, one folder per version: `<newest migration>-<commit>`. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/upgrades/', import.meta.url))

/** A token the old version issued, with the old server's verdicts on it. */
export interface FixtureToken {
  readonly name: string
  readonly user: string
  readonly type: 'access' | 'refresh'
  readonly token: string
  /** Refresh tokens: whether the scenario left it usable (`live`) or not (`revoked`). */
  readonly expected?: 'live' | 'revoked'
  readonly note: string
  readonly kid: string | null
  readonly sid: string | null
  /** The old server's status for `POST /api/token/verify/`. */
  readonly verify: number
  /** Access tokens: the old server's status for `GET /api/hello/`. */
  readonly hello?: number
}

/** What one backend's database holds. */
export interface FixtureBackend {
  readonly file: string
  /** Rows per table, as the old version left them. */
  readonly counts: Readonly<Record<string, number>>
  readonly users: Readonly<
    Record<string, { readonly password: string; readonly email: string; readonly active?: false }>
  >
  readonly tokens: readonly FixtureToken[]
  readonly mfa: {
    readonly user?: string
    readonly secret?: string
    readonly usedRecoveryCode?: string
    readonly recoveryCodes?: readonly string[]
    readonly deviceToken?: string
  }
  /** Unix seconds after the last token was issued: the tests freeze the clock there. */
  readonly now: number
}

/** One version's fixture. */
export interface UpgradeFixture {
  readonly dir: string
  readonly commit: string
  readonly migrations: readonly string[]
  readonly features: {
    readonly revokedSessions: boolean
    readonly mfa: boolean
    readonly mail: boolean
  }
  /** The TEST-ONLY settings the old version ran with (algorithm, key encryption key, ...). */
  readonly settings: Readonly<Record<string, string>>
  readonly backends: { readonly sqlite: FixtureBackend; readonly postgres: FixtureBackend }
}

/** Every committed fixture, oldest schema first. */
export function loadUpgradeFixtures(): UpgradeFixture[] {
  return readdirSync(FIXTURES_DIR)
    .filter((name) => /^\d{4}-[0-9a-f]+$/.test(name))
    .sort()
    .map((name) => {
      const dir = join(FIXTURES_DIR, name)
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'))
      return { dir, ...manifest } as UpgradeFixture
    })
}

/** Every row of every table, as plain values, per table. */
export type TableRows = Record<string, Record<string, unknown>[]>

/** A restored copy of a fixture: where it is, and how to read its tables directly. */
export interface RestoredDatabase {
  /** `TESSERA_*` variables that point the server at it. */
  readonly env: Record<string, string>
  readRows(): Promise<TableRows>
  /** Runs one SQL statement on it directly, beside the stores (another instance's writes). */
  run(sql: string): Promise<void>
  drop(): Promise<void>
}

/**
 * Copies the SQLite fixture into a temporary directory of its own, removed by `drop()` (the tests
 * never write to the committed file).
 */
export function restoreSqlite(fixture: UpgradeFixture): RestoredDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-upgrade-'))
  copyFileSync(join(fixture.dir, fixture.backends.sqlite.file), join(dir, 'tessera.sqlite3'))
  const file = join(dir, 'tessera.sqlite3')
  return {
    env: { TESSERA_DATA_DIR: dir },
    async readRows() {
      const db = new Database(file, { readonly: true })
      try {
        const tables = db
          .prepare(
            "select name from sqlite_master where type = 'table' and name not like 'sqlite_%'",
          )
          .all() as { name: string }[]
        return Object.fromEntries(
          tables.map(({ name }) => [
            name,
            db.prepare(`select * from "${name}"`).all() as Record<string, unknown>[],
          ]),
        )
      } finally {
        db.close()
      }
    },
    async run(sql) {
      const db = new Database(file)
      try {
        db.exec(sql)
      } finally {
        db.close()
      }
    },
    async drop() {
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Restores the PostgreSQL dump into a fresh database on `serverUrl`. */
export async function restorePostgres(
  fixture: UpgradeFixture,
  serverUrl: string,
): Promise<RestoredDatabase> {
  const { default: pg } = await import('pg')
  const database: TestDatabase = await createTestDatabase(serverUrl)
  const dump = readFileSync(join(fixture.dir, fixture.backends.postgres.file), 'utf8')
  const withClient = async <T>(use: (client: InstanceType<typeof pg.Client>) => Promise<T>) => {
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      return await use(client)
    } finally {
      await client.end()
    }
  }
  try {
    // pg_dump --inserts: plain statements, no COPY blocks, so the driver runs the whole file,
    // less psql's own meta-commands (`\restrict`, which recent pg_dump releases write).
    const statements = dump
      .split('\n')
      .filter((line) => !line.startsWith('\\'))
      .join('\n')
    await withClient((client) => client.query(statements))
  } catch (error) {
    await database.drop()
    throw error
  }
  return {
    env: { TESSERA_DATABASE_URL: database.url },
    readRows: () =>
      withClient(async (client) => {
        const { rows } = await client.query<{ tablename: string }>(
          "select tablename from pg_tables where schemaname = 'public'",
        )
        const tables: TableRows = {}
        for (const { tablename } of rows)
          tables[tablename] = (await client.query(`select * from "${tablename}"`)).rows
        return tables
      }),
    run: async (sql) => {
      await withClient((client) => client.query(sql))
    },
    drop: () => database.drop(),
  }
}
