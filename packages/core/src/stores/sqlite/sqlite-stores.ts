import { Kysely, SqliteDialect } from 'kysely'
import { createSqlContext } from '../sql/sql-context.js'
import type { Database } from '../sql/sql-database.js'
import { guard } from '../sql/sql-errors.js'
import { createSqlStores } from '../sql/sql-stores.js'
import type { Stores } from '../stores.js'
import { startBackgroundCheckpoints } from './background-checkpoints.js'
import type { BetterSqlite3Database } from './sqlite-database.js'
import { cachingStatements } from './statement-cache.js'

const BUSY_TIMEOUT_MS = 5000

function isBusy(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY')
}

/**
 * Switches the file to WAL. The switch needs an exclusive lock and SQLite answers SQLITE_BUSY at
 * once, without its busy handler, while another connection holds the file (processes starting
 * together on a new file): retry, asynchronously, for as long as busy_timeout would have waited.
 */
async function enableWal(database: BetterSqlite3Database): Promise<void> {
  const deadline = Date.now() + BUSY_TIMEOUT_MS
  for (let delay = 5; ; delay = Math.min(delay * 2, 100)) {
    try {
      // Reading first: once any connection has switched, nothing needs the exclusive lock.
      if (database.pragma('journal_mode', { simple: true }) === 'wal') return
      database.pragma('journal_mode = WAL')
      return
    } catch (error) {
      if (!isBusy(error) || Date.now() + delay > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}

/** Options of {@link createSqliteStores}. */
export interface SqliteStoresOptions {
  /** An open better-sqlite3 connection; the stores configure it and never close it. */
  readonly database: BetterSqlite3Database
  /** Apply pending migrations before returning (default true; safe from many processes). */
  readonly migrate?: boolean
  /**
   * Checkpoint the WAL from a thread of its own instead of inside commits on this thread
   * (default false; `tessera serve` turns it on). `close()` then ends that thread.
   */
  readonly backgroundCheckpoints?: boolean
}

/**
 * Stores in a SQLite file through better-sqlite3: the embedded default. Sets, on the connection,
 * `busy_timeout = 5000` (writers in other processes wait up to 5 s for the lock), WAL journal
 * (readers never block the writer), `foreign_keys = ON` (the cascades) and `synchronous = NORMAL`
 * (never corrupt; durable across process crashes, but the last commits, those not yet flushed
 * from the page cache, are lost when the system or the disk fails: a disk turned read-only lost
 * them in the fault suite, `synchronous = FULL` kept them). Several processes (or worker
 * threads) may share the file, each with its own connection: rotation uses BEGIN IMMEDIATE, so
 * exactly one wins.
 *
 * Use ONE connection per thread. better-sqlite3 is synchronous: a second connection of the same
 * thread waiting on the lock (busy_timeout) blocks the event loop, so the first can never commit
 * and both fail with SQLITE_BUSY after 5 s. Within a thread, Kysely queues calls on the one
 * connection instead.
 *
 * @example
 * const stores = await createSqliteStores({ database: await openSqliteDatabase('tessera.db') })
 */
export async function createSqliteStores(options: SqliteStoresOptions): Promise<Stores> {
  const { database } = options
  await guard(async () => {
    database.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`)
    await enableWal(database)
    database.pragma('foreign_keys = ON')
    database.pragma('synchronous = NORMAL')
  })
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(database) }),
  })
  const stores = createSqlStores(createSqlContext(db, 'sqlite'))
  if (options.migrate ?? true) await stores.migrate()
  if (options.backgroundCheckpoints !== true) return stores
  const checkpoints = await startBackgroundCheckpoints(database)
  // The connection stays the caller's; the checkpoint thread is ours to end.
  return { ...stores, close: async () => checkpoints?.stop() }
}
