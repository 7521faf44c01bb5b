import { KeyExistsError } from '../key-store.js'
import { GroupNameTakenError } from '../permission-store.js'
import { StoreInputError, StoreUnavailableError } from '../stores.js'
import { EmailTakenError, UsernameTakenError } from '../user-store.js'

/** The unique constraint on `users.username_key`, named in `0001_initial`. */
const USERNAME_CONSTRAINT = 'users_username_key_unique'

function field(error: unknown, name: string): unknown {
  return typeof error === 'object' && error !== null ? Reflect.get(error, name) : undefined
}

/** The driver's code when it is a plain identifier (never a value the driver echoed back). */
export function driverCode(error: unknown): string | undefined {
  const code = field(error, 'code')
  return typeof code === 'string' && /^[A-Za-z0-9_]{1,64}$/.test(code) ? code : undefined
}

/**
 * True when `error` is a unique violation of `constraint` (PostgreSQL names it) or, on SQLite
 * (which names the columns instead: "UNIQUE constraint failed: users.username_key"), of the
 * column `table.column`.
 */
export function isUniqueViolation(error: unknown, constraint: string, column: string): boolean {
  const code = driverCode(error)
  // PostgreSQL: unique_violation, with the constraint's name.
  if (code === '23505') return field(error, 'constraint') === constraint
  // SQLITE_CONSTRAINT_UNIQUE, or _PRIMARYKEY for a primary key.
  if (code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
    const message = field(error, 'message')
    return typeof message === 'string' && message.endsWith(column)
  }
  return false
}

function isUsernameTaken(error: unknown): boolean {
  return isUniqueViolation(error, USERNAME_CONSTRAINT, 'users.username_key')
}

/**
 * Translates whatever a driver threw into the contract's errors. The driver's error is dropped:
 * its message or detail can hold SQL and row values (a password hash in "Failing row contains").
 * PostgreSQL's data exceptions (SQLSTATE class 22: U+0000 in text, a number out of range...)
 * are the caller's input, not an outage: a {@link StoreInputError}, never a 503 with Retry-After.
 */
export function toStoreError(error: unknown): Error {
  if (
    error instanceof StoreUnavailableError ||
    error instanceof StoreInputError ||
    error instanceof UsernameTakenError ||
    error instanceof EmailTakenError ||
    error instanceof KeyExistsError ||
    error instanceof GroupNameTakenError
  ) {
    return error
  }
  if (isUsernameTaken(error)) return new UsernameTakenError()
  const code = driverCode(error)
  if (code !== undefined && /^22[0-9A-Z]{3}$/.test(code)) {
    return new StoreInputError(`store refused a value (${code})`, code)
  }
  return new StoreUnavailableError(
    code ? `store operation failed (${code})` : 'store operation failed',
    code,
  )
}

/** Runs `operation`, translating its failures with {@link toStoreError}. */
export async function guard<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation()
  } catch (error) {
    throw toStoreError(error)
  }
}

/** A reference the caller got wrong (not a decimal id): what a foreign key would refuse. */
export function missingReference(): StoreUnavailableError {
  return new StoreUnavailableError('store operation failed (constraint)')
}
