import { CompiledQuery, type Kysely } from 'kysely'
import type { Database, SqlBool } from './sql-database.js'
import type { SqlDialect } from './sql-dialect.js'

/** What the shared SQL stores need from an adapter. */
export interface SqlContext {
  readonly db: Kysely<Database>
  readonly dialect: SqlDialect
  /** The PostgreSQL schema `db` qualifies tables with (withSchema), for statements written out. */
  readonly schema: string | undefined
  /**
   * Runs `work` in one write transaction and commits, or rolls back if it throws. On SQLite it
   * starts with BEGIN IMMEDIATE: the write lock is taken up front, so writers in other processes
   * wait (busy_timeout) instead of failing with SQLITE_BUSY when a read would upgrade to a write.
   */
  writeTransaction<T>(work: (db: Kysely<Database>) => Promise<T>): Promise<T>
}

// Statements of every SQLite write transaction, compiled once (see fixedQuery).
const BEGIN_IMMEDIATE = CompiledQuery.raw('begin immediate')
const COMMIT = CompiledQuery.raw('commit')
const ROLLBACK = CompiledQuery.raw('rollback')

async function sqliteImmediate<T>(
  db: Kysely<Database>,
  work: (db: Kysely<Database>) => Promise<T>,
): Promise<T> {
  // One connection for the whole transaction; Kysely's SQLite driver queues other callers.
  return db.connection().execute(async (connection) => {
    await connection.executeQuery(BEGIN_IMMEDIATE)
    let result: T
    try {
      result = await work(connection)
    } catch (error) {
      // Report the original failure, not a failed rollback.
      await connection.executeQuery(ROLLBACK).catch(() => undefined)
      throw error
    }
    try {
      await connection.executeQuery(COMMIT)
    } catch (error) {
      await connection.executeQuery(ROLLBACK).catch(() => undefined)
      throw error
    }
    return result
  })
}

/** The context of `db` for `dialect`. */
export function createSqlContext(
  db: Kysely<Database>,
  dialect: SqlDialect,
  schema?: string,
): SqlContext {
  return {
    db,
    dialect,
    schema,
    writeTransaction: (work) =>
      dialect === 'sqlite' ? sqliteImmediate(db, work) : db.transaction().execute(work),
  }
}

/** A boolean as `dialect` stores it (better-sqlite3 cannot bind JavaScript booleans). */
export function toSqlBool(context: SqlContext, value: boolean): SqlBool {
  return context.dialect === 'sqlite' ? (value ? 1 : 0) : value
}
