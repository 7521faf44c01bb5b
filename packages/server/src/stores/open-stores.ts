import { closeSync, openSync } from 'node:fs'
import { dirname } from 'node:path'
import { type MigrationReport, type Stores, StoreUnavailableError } from '@tessera/core'
import { creationRefusal, ensureDataDir } from '../settings/data-dir.js'
import type { DatabaseLocation } from '../settings/database-url-spec.js'
import {
  describePostgresConnectError,
  describePostgresMigrationError,
  type PostgresTarget,
  safeDriverCode,
} from './postgres-errors.js'
import { ignoreCheckedOutErrors } from './postgres-pool.js'

/** Options of {@link openStores}. */
export interface OpenStoresOptions {
  /** Apply pending migrations before returning. Default true. */
  readonly migrate?: boolean
  /** Called with errors of idle PostgreSQL connections (which would otherwise crash the process). */
  readonly onPoolError?: (error: Error) => void
  /** SQLite: checkpoint the WAL on a thread of its own (long-running servers). Default false. */
  readonly backgroundCheckpoints?: boolean
}

// The database holds password hashes: its file, and the WAL/SHM files SQLite derives from its
// mode, are created readable by their owner only.
const SQLITE_FILE_MODE = 0o600

const SQLITE_FIX =
  'set TESSERA_DATA_DIR (or a sqlite: TESSERA_DATABASE_URL) to a place this user can write'

/**
 * Closes `close` after `stores.close()`: the adapters never close the clients they are given.
 * `migrate` replaces the stores' own (to explain its failures).
 */
function owning(
  stores: Stores,
  close: () => Promise<void> | void,
  migrate: () => Promise<MigrationReport> = () => stores.migrate(),
): Stores {
  return {
    users: stores.users,
    permissions: stores.permissions,
    sessions: stores.sessions,
    revocations: stores.revocations,
    audit: stores.audit,
    keys: stores.keys,
    imports: stores.imports,
    mfa: stores.mfa,
    mail: stores.mail,
    passkeys: stores.passkeys,
    migrate,
    ping: () => stores.ping(),
    close: async () => {
      try {
        await stores.close()
      } finally {
        await close()
      }
    },
  }
}

async function openSqlite(
  path: string,
  migrate: boolean,
  backgroundCheckpoints: boolean,
): Promise<Stores> {
  const { createSqliteStores, openSqliteDatabase } = await import('@tessera/core/sqlite')
  ensureDataDir(dirname(path), { what: 'the directory of the SQLite database', fix: SQLITE_FIX })
  let database: Awaited<ReturnType<typeof openSqliteDatabase>>
  try {
    closeSync(openSync(path, 'a', SQLITE_FILE_MODE))
    database = await openSqliteDatabase(path)
  } catch (error) {
    const code = safeDriverCode(error) ?? 'error'
    // An errno from creating the file: say why; SQLite's own codes (SQLITE_CANTOPEN) as they are.
    const reason = /^E[A-Z]+$/.test(code)
      ? `: ${creationRefusal(code, dirname(path), 'files')}; ${SQLITE_FIX}`
      : ` (${code})`
    throw new StoreUnavailableError(`cannot open the SQLite database ${path}${reason}`, code)
  }
  try {
    return owning(await createSqliteStores({ database, migrate, backgroundCheckpoints }), () => {
      database.close()
    })
  } catch (error) {
    database.close()
    throw error
  }
}

/** The subset of pg's `Client` that {@link checkConnection} uses. */
interface CheckClient {
  on(event: 'error', listener: (error: Error) => void): unknown
  connect(): Promise<unknown>
  end(): Promise<unknown>
}

/**
 * Opens and closes one connection, so that a refused one is reported as such (why, where, what
 * to do) instead of as the failure of whatever query ran first. A client of its own, ended
 * after a failure: pg 8 leaves the socket open when SCRAM fails on the client's side (no
 * password in the URL), and a pool does not end a client that failed to connect, so the CLI
 * would wait for the server's authentication_timeout (a minute) to exit.
 */
async function checkConnection(
  Client: new (options: { connectionString: string }) => CheckClient,
  target: PostgresTarget,
): Promise<void> {
  const client = new Client({ connectionString: target.url })
  // A failure while connecting rejects connect(); the event would otherwise be unhandled.
  client.on('error', () => {})
  try {
    await client.connect()
  } catch (error) {
    await client.end().catch(() => {})
    throw new StoreUnavailableError(
      describePostgresConnectError(error, target),
      safeDriverCode(error),
    )
  }
  await client.end()
}

async function openPostgres(
  target: PostgresTarget,
  migrate: boolean,
  onPoolError: ((error: Error) => void) | undefined,
): Promise<Stores> {
  const { createPostgresStores } = await import('@tessera/core/postgres')
  const { default: pg } = await import('pg')
  await checkConnection(pg.Client, target)
  const pool = new pg.Pool({ connectionString: target.url })
  pool.on('error', (error) => onPoolError?.(error))
  ignoreCheckedOutErrors(pool)
  try {
    const stores = await createPostgresStores({ pool, migrate: false })
    const migrateExplained = async () => {
      try {
        return await stores.migrate()
      } catch (error) {
        if (!(error instanceof StoreUnavailableError)) throw error
        throw new StoreUnavailableError(
          describePostgresMigrationError(error, target),
          error.driverCode,
        )
      }
    }
    if (migrate) await migrateExplained()
    return owning(stores, () => pool.end(), migrateExplained)
  } catch (error) {
    await pool.end()
    throw error
  }
}

/**
 * Opens the stores `location` describes, owning their connection: SQLite (better-sqlite3, the
 * file created 0600 in a 0700 directory) or PostgreSQL (a pg Pool). Migrates unless told not
 * to. The returned stores' `close()` also closes the connection or ends the pool.
 *
 * @throws {StoreUnavailableError} When the database cannot be opened or migrated; the message
 * never holds a password. A PostgreSQL that cannot be reached says why, where and what to do
 * (`cannot connect to PostgreSQL postgres://app@db:5432/auth: connection refused
 * (ECONNREFUSED); check that...`), with the driver's code as `driverCode`.
 * @throws {SettingsError} (`DATA_DIR`) When the directory of the SQLite file cannot be created.
 */
export async function openStores(
  location: DatabaseLocation,
  options: OpenStoresOptions = {},
): Promise<Stores> {
  const migrate = options.migrate ?? true
  return location.kind === 'sqlite'
    ? openSqlite(location.path, migrate, options.backgroundCheckpoints ?? false)
    : openPostgres(location, migrate, options.onPoolError)
}

/** Describes a database location for people: the SQLite path, or the URL without its password. */
export function describeDatabase(location: DatabaseLocation): string {
  return location.kind === 'sqlite' ? `SQLite ${location.path}` : `PostgreSQL ${location.display}`
}
