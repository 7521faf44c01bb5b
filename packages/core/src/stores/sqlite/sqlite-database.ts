import type { SqliteDatabase } from 'kysely'

/**
 * The subset of a better-sqlite3 `Database` the SQLite stores use: Kysely's `prepare`/`close`
 * plus `pragma`. Typed structurally so that core needs better-sqlite3 only when you do.
 */
export interface BetterSqlite3Database extends SqliteDatabase {
  pragma(source: string, options?: { simple?: boolean }): unknown
  /** The file path (better-sqlite3's `name`). */
  readonly name?: string
  /** True for an in-memory database. */
  readonly memory?: boolean
}

/**
 * Opens (creating if needed) the SQLite file at `path` with better-sqlite3, loaded on demand: it
 * is an optional peer dependency. The caller owns the connection and closes it.
 *
 * @example
 * const database = await openSqliteDatabase('tessera.sqlite3')
 * const stores = await createSqliteStores({ database })
 */
export async function openSqliteDatabase(path: string): Promise<BetterSqlite3Database> {
  let driver: typeof import('better-sqlite3')
  try {
    driver = (await import('better-sqlite3')).default
  } catch (error) {
    throw new Error('the SQLite stores need better-sqlite3: npm install better-sqlite3', {
      cause: error,
    })
  }
  return new driver(path)
}
