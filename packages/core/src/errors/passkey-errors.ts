import { TesseraError } from './tessera-error.js'

/**
 * A passkey login failed: an unknown, deleted or flagged credential, a spent or expired
 * challenge, a wrong origin or RP ID, a bad signature, a counter that went back. One error for
 * all, so a probe learns nothing; the audit log keeps the reason. HTTP answers 401
 * `{"detail": "Passkey authentication failed.", "code": "passkey_invalid"}`.
 */
export class PasskeyInvalidError extends TesseraError {
  /** Why, for logs and the audit event; never shown to the client. */
  readonly reason: string

  constructor(reason: string) {
    super('passkey_invalid', 'passkey authentication failed')
    this.reason = reason
  }
}
