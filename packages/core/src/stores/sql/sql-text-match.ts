import { type RawBuilder, sql } from 'kysely'
import { asciiLower } from '../store-page.js'
import type { SqlContext } from './sql-context.js'

/** `text` as a LIKE pattern matching it anywhere, its wildcards and the escape escaped. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (character) => `\\${character}`)}%`
}

/**
 * `column` contains `fragment` exactly (for columns holding case-folded keys, compared with a
 * fragment folded the same way in JavaScript).
 */
export function sqlContains(column: string, fragment: string): RawBuilder<boolean> {
  return sql<boolean>`${sql.ref(column)} like ${containsPattern(fragment)} escape '\\'`
}

/**
 * `column` contains `fragment`, ASCII letters without regard to case and other characters
 * exactly: SQLite's `lower()` folds ASCII only, and PostgreSQL's does the same under the "C"
 * collation, whatever the database's locale (what `containsIgnoringAsciiCase` does in memory).
 */
export function sqlContainsIgnoringAsciiCase(
  context: Pick<SqlContext, 'dialect'>,
  column: string,
  fragment: string,
): RawBuilder<boolean> {
  const pattern = containsPattern(asciiLower(fragment))
  return context.dialect === 'postgres'
    ? sql<boolean>`lower(${sql.ref(column)} collate "C") like ${pattern} escape '\\'`
    : sql<boolean>`lower(${sql.ref(column)}) like ${pattern} escape '\\'`
}

/**
 * `column` as an ORDER BY term in code point order on every backend: SQLite's BINARY already
 * compares UTF-8 bytes; PostgreSQL's default collation follows the locale, "C" compares bytes.
 */
export function sqlCodePointOrder(
  context: Pick<SqlContext, 'dialect'>,
  column: string,
): RawBuilder<string> {
  return context.dialect === 'postgres'
    ? sql<string>`${sql.ref(column)} collate "C"`
    : sql<string>`${sql.ref(column)}`
}
