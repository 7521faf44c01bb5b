// Input checks shared by every adapter, so that memory and SQL answer the same way.

/** Largest value of a signed 64-bit key (PostgreSQL bigint, SQLite integer). */
const MAX_ID = 9223372036854775807n

/**
 * True when `id` is a canonical decimal key (`"1"`, never `"01"`, `"+1"` or `"1e3"`). SQL would
 * coerce the others (`'01'::bigint = 1`), memory would not; refusing them keeps both equal.
 */
export function isDecimalId(id: string): boolean {
  return /^[1-9][0-9]{0,18}$/.test(id) && BigInt(id) <= MAX_ID
}

/** Throws a RangeError naming `name` unless `id` is a canonical decimal key. */
export function checkDecimalId(id: string, name: string): void {
  if (!isDecimalId(id)) throw new RangeError(`${name} must be a decimal id`)
}

/** Throws a RangeError unless `limit` is a non-negative integer. */
export function checkLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new RangeError('limit must be a non-negative integer')
  }
}

/** Orders strings by UTF-16 code units: the same on every backend, unlike SQL collations. */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Throws a RangeError unless the first token belongs to the new family and its user. */
export function checkNewSession(input: {
  readonly session: { readonly id: string; readonly userId: string }
  readonly token: { readonly familyId: string; readonly userId: string }
}): void {
  if (input.token.familyId !== input.session.id) {
    throw new RangeError('token.familyId must equal session.id')
  }
  if (input.token.userId !== input.session.userId) {
    throw new RangeError('token.userId must equal session.userId')
  }
}

/** Newest first, ties by id descending (code units): one order for every backend. */
export function bySessionAge(
  a: { readonly createdAt: number; readonly id: string },
  b: { readonly createdAt: number; readonly id: string },
): number {
  return b.createdAt - a.createdAt || byCodeUnits(b.id, a.id)
}
