export { KeyError, SettingsError } from './config-errors.js'
export {
  authenticationFailureBody,
  type CatalogueEntry,
  errorCatalogue,
  publicErrorBody,
} from './error-catalogue.js'
export type { ConfigErrorCode, ErrorCode, RequestErrorCode, TokenErrorCode } from './error-codes.js'
export {
  authenticationFailureResponse,
  bearerChallenge,
  type ErrorResponse,
  type ErrorResponseOptions,
  errorResponse,
  mfaRequiredResponse,
} from './error-response.js'
export { MfaCodeInvalidError, MfaEnrollmentRequiredError, MfaRequiredError } from './mfa-errors.js'
export { PasskeyInvalidError } from './passkey-errors.js'
export {
  AuthenticationFailedError,
  EmailNotFoundError,
  type FieldErrors,
  FlowDisabledError,
  RefreshUserInvalidError,
  RevocationUnavailableError,
  ServiceUnavailableError,
  StaleTokenError,
  ValidationError,
} from './request-errors.js'
export { TesseraError } from './tessera-error.js'
export {
  TokenError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
  TokenWrongTypeError,
} from './token-errors.js'
