import { TesseraError } from './tessera-error.js'

/**
 * The password was right and the account has a second factor: the login continues at
 * `POST /api/token/mfa/` with `mfaToken`. HTTP answers 401
 * `{"detail": "Multi-factor authentication required.", "code": "mfa_required", "mfa_token": "...",
 * "methods": ["totp", "passkey"]}`.
 */
export class MfaRequiredError extends TesseraError {
  /** The short-lived, single-use `mfa` token naming the user. Never logged. */
  readonly mfaToken: string
  /** Its expiry, epoch seconds. */
  readonly expiresAt: number
  /** The second factors the user has, in the order clients should offer them (`totp`, `passkey`). */
  readonly methods: readonly string[]

  constructor(mfaToken: string, expiresAt: number, methods: readonly string[] = ['totp']) {
    super('mfa_required', 'multi-factor authentication required')
    this.mfaToken = mfaToken
    this.expiresAt = expiresAt
    this.methods = methods
  }

  /** Keeps the token out of logs that serialize errors. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, code: this.code, message: this.message }
  }
}

/**
 * The code (or recovery code) of the second step was wrong, already used, or the account has
 * no second factor any more: one error for all, so a guess learns nothing.
 */
export class MfaCodeInvalidError extends TesseraError {
  constructor() {
    super('mfa_code_invalid', 'invalid authentication code')
  }
}

/** A staff account without a second factor called a staff-only endpoint (`MFA_REQUIRED_FOR_STAFF`). */
export class MfaEnrollmentRequiredError extends TesseraError {
  constructor() {
    super('mfa_enrollment_required', 'staff must enable two-factor authentication first')
  }
}
