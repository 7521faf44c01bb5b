import { checkLimit } from './store-input.js'

/**
 * One page of a listing and the number of rows matching the filters across every page (what
 * DRF's PageNumberPagination calls `count`). The count and the page are read by two statements:
 * a row written between them may make `count` one off, as in Django.
 */
export interface StorePage<T> {
  readonly count: number
  readonly items: T[]
}

/** Where a page starts and how long it is: `offset` rows skipped, `limit` rows at most. */
export interface PageWindow {
  readonly offset: number
  readonly limit: number
}

/** Throws a RangeError unless `offset` and `limit` are non-negative integers. */
export function checkPageWindow({ offset, limit }: PageWindow): void {
  checkLimit(limit)
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError('offset must be a non-negative integer')
  }
}

/**
 * Orders strings by Unicode code points: what SQLite's BINARY and PostgreSQL's `COLLATE "C"`
 * compare (UTF-8 bytes), so a page cut by SQL and one cut in memory hold the same rows.
 */
export function byCodePoints(a: string, b: string): number {
  const left = [...a]
  const right = [...b]
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const difference = (left[index]?.codePointAt(0) ?? 0) - (right[index]?.codePointAt(0) ?? 0)
    if (difference !== 0) return difference
  }
  return left.length - right.length
}

/**
 * The substring test of the admin searches, as the SQL adapters run it: ASCII letters match
 * without regard to case, every other character exactly (SQLite's `lower()` folds ASCII only;
 * PostgreSQL is asked to do the same).
 */
export function containsIgnoringAsciiCase(text: string, fragment: string): boolean {
  return asciiLower(text).includes(asciiLower(fragment))
}

/** Lowercases ASCII letters only. */
export function asciiLower(text: string): string {
  return text.replace(/[A-Z]+/g, (letters) => letters.toLowerCase())
}

/** The slice of `rows` a window selects, with their count. */
export function pageOf<T>(rows: readonly T[], window: PageWindow): StorePage<T> {
  return { count: rows.length, items: rows.slice(window.offset, window.offset + window.limit) }
}
