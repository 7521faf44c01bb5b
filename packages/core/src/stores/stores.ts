import { ServiceUnavailableError } from '../errors/request-errors.js'
import type { AuditStore } from './audit-store.js'
import type { ImportStore } from './import-store.js'
import type { KeyStore } from './key-store.js'
import type { MailOutboxStore } from './mail-outbox-store.js'
import type { MfaStore } from './mfa-store.js'
import type { PasskeyStore } from './passkey-store.js'
import type { PermissionStore } from './permission-store.js'
import type { RevocationStore } from './revocation-store.js'
import type { SessionStore } from './session-store.js'
import type { UserStore } from './user-store.js'

/** Everything Tessera persists, from one backend. Adapters implement this whole bundle. */
export interface Stores {
  readonly users: UserStore
  readonly permissions: PermissionStore
  readonly sessions: SessionStore
  readonly revocations: RevocationStore
  readonly audit: AuditStore
  /** The asymmetric signing keys (RS256, ES256, EdDSA) shared by every instance. */
  readonly keys: KeyStore
  /** Imports from another system (Django) in one transaction. */
  readonly imports: ImportStore
  /** Second factors: TOTP, recovery codes, used MFA tokens, trusted devices. */
  readonly mfa: MfaStore
  /** Mail waiting to be delivered (reset and activation links...), and what became of it. */
  readonly mail: MailOutboxStore
  /** Passkeys (WebAuthn credentials) and their ceremonies' challenges. */
  readonly passkeys: PasskeyStore
  /** Applies pending migrations; safe to call at every start and from many processes. */
  migrate(): Promise<MigrationReport>
  /** Resolves when the backend answers (readiness). */
  ping(): Promise<void>
  /** Closes what the adapter opened itself; injected clients stay open. */
  close(): Promise<void>
}

/** What {@link Stores.migrate} did. */
export interface MigrationReport {
  /** Names of the migrations applied by this call, in order. */
  readonly applied: string[]
}

/**
 * The store failed (down, locked, a constraint it did not expect such as a link to a missing
 * user): a {@link ServiceUnavailableError}, so callers answer 503 (`service_unavailable`). The
 * message never contains SQL or values and the driver error is deliberately not attached as
 * `cause`: drivers put row values in their errors (PostgreSQL's "Failing row contains (...)"
 * would carry a password hash into a log line).
 */
export class StoreUnavailableError extends ServiceUnavailableError {
  /** The driver's error code when it had a safe one (`SQLITE_BUSY`, `ECONNREFUSED`, `23503`). */
  readonly driverCode: string | undefined

  constructor(message: string, driverCode?: string) {
    super(message)
    this.driverCode = driverCode
  }
}

/**
 * A value the store does not hold as given: text with U+0000 (PostgreSQL's `text` refuses it) or
 * a lone surrogate (UTF-8 cannot encode it: the drivers would store U+FFFD instead), or any value
 * the database refused as a data exception (SQLSTATE class 22). The caller's mistake, never an
 * outage: no 503 and no retry helps. Every adapter refuses the same user fields alike; the
 * services refuse such input with DRF's field errors before they reach a store. The message
 * names the field, never the value.
 */
export class StoreInputError extends RangeError {
  /** The driver's error code when the database refused the value (`22021`). */
  readonly driverCode: string | undefined

  constructor(message: string, driverCode?: string) {
    super(message)
    this.name = 'StoreInputError'
    this.driverCode = driverCode
  }
}
