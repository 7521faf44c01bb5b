import type { VerifiedToken } from '../tokens/token-types.js'
import { TesseraError } from './tessera-error.js'

/** Field errors in DRF's shape: only the bad keys, each a list of messages. */
export type FieldErrors = Record<string, string[]>

/** Input failed validation; `fields` is the 400 body (`non_field_errors` for object-level ones). */
export class ValidationError extends TesseraError {
  readonly fields: Readonly<FieldErrors>

  constructor(fields: FieldErrors) {
    super('validation_failed', `invalid input: ${Object.keys(fields).join(', ')}`)
    this.fields = fields
  }
}

/**
 * Login failed: unknown user, wrong password, inactive or password-less account. One class and
 * one public body for all of them, by design: the response tells an attacker nothing.
 */
export class AuthenticationFailedError extends TesseraError {
  constructor() {
    super('authentication_failed', 'no active account found with the given credentials')
  }
}

/** A genuine refresh token whose user is gone or inactive. */
export class RefreshUserInvalidError extends TesseraError {
  constructor() {
    super('refresh_user_invalid', 'no active account found for the given token')
  }
}

/** A backend Tessera depends on (database, cache, bus) failed; callers answer 503. */
export class ServiceUnavailableError extends TesseraError {
  /** Seconds a client should wait before retrying. */
  readonly retryAfterSeconds: number

  constructor(message: string, options?: ErrorOptions & { retryAfterSeconds?: number }) {
    super('service_unavailable', message, options)
    this.retryAfterSeconds = options?.retryAfterSeconds ?? 1
  }
}

/**
 * The revocation view cannot vouch for itself (its bus is down and it has not caught up), so it
 * refuses every token for now: 503 with `Retry-After`, never a 401 that would log clients out.
 */
export class RevocationUnavailableError extends ServiceUnavailableError {
  /**
   * The refused token, which passed every other check: genuine, only its revocation state is
   * unknown. Logout uses it to revoke the token anyway (revoking is always safe).
   */
  readonly token: VerifiedToken

  constructor(token: VerifiedToken) {
    super('revocation state unavailable: failing closed until the revocation bus is back', {
      retryAfterSeconds: 1,
    })
    this.token = token
  }
}

/** djoser's activation of an account already active: 403 "Stale token for given user.". */
export class StaleTokenError extends TesseraError {
  constructor() {
    super('stale_token', 'the account is already active')
  }
}

/**
 * A djoser flow that the settings turn off was asked for (`resend_activation` without
 * `SEND_ACTIVATION_EMAIL`): djoser answers a bare 400, without a body.
 */
export class FlowDisabledError extends TesseraError {
  constructor(flow: string) {
    super('validation_failed', `${flow} is turned off`)
  }
}

/**
 * No active account has this address, said only when `PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND` (or
 * the username one) asks for it: 400 `["User with given email does not exist."]`, djoser's body.
 */
export class EmailNotFoundError extends TesseraError {
  constructor() {
    super('validation_failed', 'no active account has this email')
  }
}
