import type { TokenErrorCode } from './error-codes.js'
import { TesseraError } from './tessera-error.js'

/** A token was rejected. `code` says precisely why; clients only see the catalogue message. */
export class TokenError extends TesseraError {
  declare readonly code: TokenErrorCode

  constructor(code: TokenErrorCode, message: string) {
    super(code, message)
  }
}

/** The token is malformed, forged, signed by an unknown key, or carries invalid claims. */
export class TokenInvalidError extends TokenError {}

/** The token's `exp` is in the past, beyond the leeway. */
export class TokenExpiredError extends TokenError {
  constructor(message = 'token expired') {
    super('token_expired', message)
  }
}

/** The token is genuine but of another kind (an access token where a refresh token is due...). */
export class TokenWrongTypeError extends TokenError {
  constructor(message = 'token has the wrong token_type') {
    super('token_wrong_type', message)
  }
}

/** The token is genuine but was revoked (logged out, rotated, or cut off for its user). */
export class TokenRevokedError extends TokenError {
  constructor(message = 'token revoked') {
    super('token_revoked', message)
  }
}
