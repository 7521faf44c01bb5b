import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** Most distinct SQL texts kept prepared; Tessera's stores use a few dozen. */
const MAX_STATEMENTS = 500

/**
 * The connection as Kysely sees it, with `prepare` remembering its statements by SQL text.
 * Kysely prepares every query anew, and preparing was the largest single cost of a refresh on
 * SQLite (measured: ~16% of the server's CPU). better-sqlite3 statements are reusable: Kysely
 * runs each to completion synchronously (`all`/`run`), so no two uses overlap. (A streamed
 * query, `iterate`, would hold its statement open; Tessera's stores never stream.)
 */
export function cachingStatements(database: SqliteDatabase): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>()
  return {
    close: () => {
      statements.clear()
      return database.close()
    },
    prepare(sql) {
      let statement = statements.get(sql)
      if (statement === undefined) {
        statement = database.prepare(sql)
        // Generated SQL varies only with the shapes of the queries: a full cache means a caller
        // builds SQL from data (e.g. IN lists), so start over rather than grow without bound.
        if (statements.size >= MAX_STATEMENTS) statements.clear()
        statements.set(sql, statement)
      }
      return statement
    },
  }
}
