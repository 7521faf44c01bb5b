import { TesseraError } from '../errors/tessera-error.js'
import { MAX_PASSWORD_BYTES } from './password-limits.js'

/**
 * The password hasher is at capacity: `maxConcurrent` jobs are running and `maxQueue` are
 * waiting. Shed the request with 503 and `Retry-After: retryAfterSeconds` rather than letting
 * logins pile up behind an expensive hash (security.md, "Passwords and login").
 */
export class PasswordHasherBusyError extends TesseraError {
  /** Seconds a client should wait before retrying; send it as the `Retry-After` header. */
  readonly retryAfterSeconds: number

  constructor(retryAfterSeconds = 1) {
    super('service_unavailable', 'password hasher is busy: too many hash jobs running and queued')
    this.retryAfterSeconds = retryAfterSeconds
  }
}

/**
 * `PasswordHasher.hash()` was given a password over {@link MAX_PASSWORD_BYTES} UTF-8 bytes.
 * Validate new passwords with `validatePassword()` first; this error means that step was skipped.
 */
export class PasswordTooLongError extends TesseraError {
  constructor() {
    super('validation_failed', `password is longer than ${MAX_PASSWORD_BYTES} UTF-8 bytes`)
  }
}
