import { KeyError } from '../errors/config-errors.js'

/** Why a JWKS document or fetch was refused. */
export type JwksErrorReason =
  | 'document_invalid'
  | 'document_too_large'
  | 'too_many_keys'
  | 'key_invalid'
  | 'duplicate_kid'
  | 'fetch_failed'
  | 'fetch_timeout'

/**
 * A JWKS document could not be used: refused by {@link importJwks}, or not fetched by
 * {@link RemoteJwks}. A `KeyError` (code `key_invalid`); `reason` says which failure. The
 * message names the offending key's index and kid, never key material.
 */
export class JwksError extends KeyError {
  /** Which check failed. */
  readonly reason: JwksErrorReason

  constructor(reason: JwksErrorReason, message: string, options?: ErrorOptions) {
    super(message, options)
    this.reason = reason
  }
}
