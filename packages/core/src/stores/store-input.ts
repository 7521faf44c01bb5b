// Input checks shared by every adapter, so that memory and SQL answer the same way.
import type { JsonValue } from '../tokens/token-types.js'
import { isStorableText } from '../users/char-field.js'
import { StoreInputError } from './stores.js'

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

const KEY_ALGORITHMS: readonly string[] = ['RS256', 'ES256', 'EdDSA']

function isTime(value: unknown): boolean {
  return Number.isSafeInteger(value)
}

/** A stored key's fields as the checks read them (untrusted: strings, not unions). */
interface KeyRecordInput {
  readonly kid: string
  readonly alg: string
  readonly status: string
  readonly createdAt: number
  readonly activatedAt: number | null
  readonly retiredAt: number | null
  readonly verifyUntil: number | null
}

/**
 * Throws a RangeError unless `key` is a key `insert` may store: a known algorithm, integer
 * times, and the dates its status implies (`next`: no activation or retirement yet; `retired`:
 * `retiredAt` and `verifyUntil` set). `current` keys are refused: they enter through
 * `insertFirstCurrent` or `rotate` only.
 */
export function checkInsertableKey(key: KeyRecordInput): void {
  if (key.status === 'current') {
    throw new RangeError('a current key is stored by insertFirstCurrent or rotate, not insert')
  }
  checkKeyRecord(key)
}

/** Throws a RangeError unless `key` has a known algorithm and status and consistent times. */
export function checkKeyRecord(key: KeyRecordInput): void {
  if (typeof key.kid !== 'string' || key.kid === '') throw new RangeError('kid must be a string')
  if (!KEY_ALGORITHMS.includes(key.alg)) throw new RangeError('alg must be RS256, ES256 or EdDSA')
  const optional = [key.activatedAt, key.retiredAt, key.verifyUntil]
  if (!isTime(key.createdAt) || optional.some((time) => time !== null && !isTime(time))) {
    throw new RangeError('key times must be integer epoch seconds')
  }
  const fits =
    key.status === 'next'
      ? key.activatedAt === null && key.retiredAt === null && key.verifyUntil === null
      : key.status === 'current'
        ? key.activatedAt !== null && key.retiredAt === null && key.verifyUntil === null
        : key.status === 'retired' && key.retiredAt !== null && key.verifyUntil !== null
  if (!fits) throw new RangeError(`key times do not fit status ${String(key.status)}`)
}

/** Throws a RangeError unless every value is an integer (epoch seconds). */
export function checkTimes(...times: number[]): void {
  if (!times.every(isTime)) throw new RangeError('times must be integer epoch seconds')
}

/** Keys by `createdAt`, ties by kid in code units: the order of `KeyStore.list`. */
export function byKeyAge(
  a: { readonly createdAt: number; readonly kid: string },
  b: { readonly createdAt: number; readonly kid: string },
): number {
  return a.createdAt - b.createdAt || byCodeUnits(a.kid, b.kid)
}

/**
 * Throws a {@link StoreInputError} naming `name` unless `text` is storable as given: no U+0000
 * (PostgreSQL's `text` refuses it), no lone surrogate (UTF-8 has no encoding for one; drivers
 * would store U+FFFD). SQLite and memory could hold both: refusing them everywhere keeps every
 * adapter equal.
 */
export function checkText(text: string | null, name: string): void {
  if (text !== null && !isStorableText(text)) {
    throw new StoreInputError(`${name} must not contain U+0000 or a lone surrogate`)
  }
}

/** {@link checkText} for every string of a JSON value, member names included. */
export function checkJsonText(value: JsonValue, name: string): void {
  if (typeof value === 'string') checkText(value, name)
  else if (Array.isArray(value)) for (const item of value) checkJsonText(item, name)
  else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      checkText(key, name)
      checkJsonText(item, name)
    }
  }
}
