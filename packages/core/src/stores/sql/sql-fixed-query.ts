import { CompiledQuery, type Kysely } from 'kysely'
import type { SqlContext } from './sql-context.js'
import type { Database } from './sql-database.js'

/** Runs one fixed statement on `db` (a pool or a transaction's connection) with `values`. */
export type FixedQuery<Row> = (
  db: Kysely<Database>,
  context: Pick<SqlContext, 'dialect' | 'schema'>,
  values: readonly unknown[],
) => Promise<Row[]>

/**
 * A statement written out once, for the per-request paths only (authentication, login,
 * refresh): Kysely builds an operation tree, freezes it and compiles it on every call, which
 * measured about a third of a refresh's time in-process on SQLite. Tables are written `{name}`
 * (qualified with the PostgreSQL schema when one is configured, as Kysely's withSchema does),
 * placeholders `?` (PostgreSQL's `$1..$n` are derived). The text is a constant: identifiers and
 * values never come from input; values are bound.
 */
export function fixedQuery<Row>(text: string): FixedQuery<Row> {
  const texts = new Map<string, string>()
  const textFor = ({ dialect, schema }: Pick<SqlContext, 'dialect' | 'schema'>): string => {
    const key = `${dialect}:${schema ?? ''}`
    let sql = texts.get(key)
    if (sql === undefined) {
      sql = text.replace(/\{(\w+)\}/g, (_, table: string) =>
        schema === undefined ? `"${table}"` : `"${schema}"."${table}"`,
      )
      let index = 0
      if (dialect === 'postgres') sql = sql.replace(/\?/g, () => `$${++index}`)
      texts.set(key, sql)
    }
    return sql
  }
  return async (db, context, values) =>
    (await db.executeQuery<Row>(CompiledQuery.raw(textFor(context), [...values]))).rows
}
