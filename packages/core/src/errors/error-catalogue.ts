import type { ErrorCode, TokenErrorCode } from './error-codes.js'

/** How one error code is shown to HTTP clients. */
export interface CatalogueEntry {
  /** HTTP status code. */
  readonly status: number
  /** The public message: `detail`, or for token errors the simplejwt message shown to clients. */
  readonly message: string
  /** The `code` member of the public body; absent where DRF's body has none. */
  readonly publicCode?: string
  /**
   * A problem with the token itself (format, signature, claims, type, revocation), as
   * simplejwt's `TokenError`: a bearer token failing so is answered with the "Given token not
   * valid for any token type" body (`authenticationFailureResponse`); refresh, verify and
   * blacklist answer the plain `{"detail", "code"}`.
   */
  readonly tokenProblem?: true
}

const tokenNotValid = (message: string): CatalogueEntry => ({
  status: 401,
  message,
  publicCode: 'token_not_valid',
  tokenProblem: true,
})

const TOKEN_INVALID = 'Token is invalid'

/**
 * The one table of error code -> HTTP status -> public message. The bodies are those of
 * docs/api-contract.md (simplejwt + DRF as observed); a test keeps both in sync. Several codes
 * share the message `Token is invalid` on purpose: clients learn nothing an attacker could use,
 * while logs and callers keep the precise code.
 */
export const errorCatalogue: Readonly<Record<ErrorCode, CatalogueEntry>> = Object.freeze({
  token_malformed: tokenNotValid(TOKEN_INVALID),
  token_header_forbidden: tokenNotValid(TOKEN_INVALID),
  token_key_unknown: tokenNotValid(TOKEN_INVALID),
  token_algorithm_mismatch: tokenNotValid(TOKEN_INVALID),
  token_signature_invalid: tokenNotValid(TOKEN_INVALID),
  token_claim_invalid: tokenNotValid(TOKEN_INVALID),
  token_not_yet_valid: tokenNotValid(TOKEN_INVALID),
  token_expired: tokenNotValid('Token is expired'),
  token_no_exp: tokenNotValid("Token has no 'exp' claim"),
  token_no_type: tokenNotValid('Token has no type'),
  token_wrong_type: tokenNotValid('Token has wrong type'),
  token_no_id: tokenNotValid('Token has no id'),
  token_revoked: tokenNotValid('Token is blacklisted'),
  not_authenticated: { status: 401, message: 'Authentication credentials were not provided.' },
  token_no_user_id: {
    status: 401,
    message: 'Token contained no recognizable user identification',
    publicCode: 'token_not_valid',
  },
  bad_authorization_header: {
    status: 401,
    message: 'Authorization header must contain two space-delimited values',
    publicCode: 'bad_authorization_header',
  },
  authentication_failed: {
    status: 401,
    message: 'No active account found with the given credentials',
  },
  mfa_required: {
    status: 401,
    message: 'Multi-factor authentication required.',
    publicCode: 'mfa_required',
  },
  mfa_code_invalid: {
    status: 401,
    message: 'Invalid authentication code.',
    publicCode: 'mfa_code_invalid',
  },
  passkey_invalid: {
    status: 401,
    message: 'Passkey authentication failed.',
    publicCode: 'passkey_invalid',
  },
  mfa_enrollment_required: {
    status: 403,
    message: 'Staff accounts must enable two-factor authentication first.',
    publicCode: 'mfa_enrollment_required',
  },
  user_not_found: { status: 401, message: 'User not found', publicCode: 'user_not_found' },
  user_inactive: { status: 401, message: 'User is inactive', publicCode: 'user_inactive' },
  refresh_user_invalid: {
    status: 401,
    message: 'No active account found for the given token.',
  },
  permission_denied: {
    status: 403,
    message: 'You do not have permission to perform this action.',
  },
  // Cookie mode (DRF's SessionAuthentication words): {reason} says which check failed.
  csrf_failed: { status: 403, message: 'CSRF Failed: {reason}', publicCode: 'csrf_failed' },
  // djoser's activation of an account that is already active (a link used twice).
  stale_token: { status: 403, message: 'Stale token for given user.' },
  validation_failed: { status: 400, message: 'Invalid input.' },
  // DRF's ParseError default: an HTTP message, URL or header the server cannot read.
  malformed_request: { status: 400, message: 'Malformed request.' },
  parse_error: { status: 400, message: 'JSON parse error - {reason}' },
  unsupported_media_type: {
    status: 415,
    message: 'Unsupported media type "{media_type}" in request.',
  },
  payload_too_large: {
    status: 413,
    message: 'Request body is too large.',
    publicCode: 'payload_too_large',
  },
  header_too_large: { status: 431, message: 'Request header fields too large.' },
  request_timeout: { status: 408, message: 'Request timed out.' },
  method_not_allowed: { status: 405, message: 'Method "{method}" not allowed.' },
  not_found: { status: 404, message: 'Not found.' },
  // DRF's PageNumberPagination past the last page (the admin API's listings).
  invalid_page: { status: 404, message: 'Invalid page.' },
  throttled: {
    status: 429,
    message: 'Request was throttled. Expected available in {wait} seconds.',
  },
  service_unavailable: {
    status: 503,
    message: 'Service temporarily unavailable, try again later.',
    publicCode: 'service_unavailable',
  },
  server_error: { status: 500, message: 'A server error occurred.' },
  settings_invalid: { status: 500, message: 'A server error occurred.' },
  key_invalid: { status: 500, message: 'A server error occurred.' },
})

/**
 * The public `{"detail", "code"?}` body for a code, as DRF renders it. `params` fill the
 * `{name}` placeholders of templated messages (`method`, `media_type`, `wait`, `reason`).
 *
 * @example publicErrorBody('method_not_allowed', { method: 'GET' })
 * // { detail: 'Method "GET" not allowed.' }
 */
export function publicErrorBody(
  code: ErrorCode,
  params?: Readonly<Record<string, string | number>>,
): { detail: string; code?: string } {
  const entry = errorCatalogue[code]
  const detail =
    params === undefined
      ? entry.message
      : entry.message.replace(/\{(\w+)\}/g, (whole, name: string) => String(params[name] ?? whole))
  return entry.publicCode === undefined ? { detail } : { detail, code: entry.publicCode }
}

/**
 * The body simplejwt's `JWTAuthentication` answers when the bearer token of a request is bad:
 * `{"detail":"Given token not valid for any token type","code":"token_not_valid","messages":[...]}`.
 */
export function authenticationFailureBody(code: TokenErrorCode): {
  detail: string
  code: string
  messages: { token_class: string; token_type: string; message: string }[]
} {
  return {
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: [
      { token_class: 'AccessToken', token_type: 'access', message: errorCatalogue[code].message },
    ],
  }
}
