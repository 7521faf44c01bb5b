import type { ErrorCode } from './error-codes.js'

/**
 * Base class of every error Tessera raises on purpose. `code` is stable and is what callers
 * branch on; the message is for developers and never contains a token, password or secret.
 * The public HTTP body for a code comes from the error catalogue, never from `message`.
 */
export class TesseraError extends Error {
  /** Stable, documented identifier of the failure (see `errorCatalogue`). */
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options)
    this.code = code
    this.name = new.target.name
  }
}
