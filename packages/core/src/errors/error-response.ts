import { authenticationFailureBody, errorCatalogue, publicErrorBody } from './error-catalogue.js'
import type { ErrorCode, TokenErrorCode } from './error-codes.js'
import type { MfaRequiredError } from './mfa-errors.js'

/** A framework-agnostic error response: status, headers and JSON body. */
export interface ErrorResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: object
}

/** Options of {@link errorResponse} and {@link authenticationFailureResponse}. */
export interface ErrorResponseOptions {
  /** The `WWW-Authenticate` value of a 401, e.g. `Bearer realm="api"` ({@link bearerChallenge}). */
  readonly challenge: string
  /**
   * `Retry-After` of a 503, in seconds. Default 1: the revocation view failing closed
   * recovers within seconds.
   */
  readonly retryAfterSeconds?: number | undefined
  /** Values of the message's `{name}` placeholders (`method`, `media_type`, `reason`...). */
  readonly params?: Readonly<Record<string, string | number>> | undefined
}

/** simplejwt's `www_authenticate_realm`: every 401 carries `<scheme> realm="api"` (RFC 6750 3). */
export function bearerChallenge(scheme: string): string {
  return `${scheme} realm="api"`
}

const NO_HEADERS: Readonly<Record<string, string>> = Object.freeze({})

/**
 * The response for `code`, the one builder behind every framework shell (Fastify plugin,
 * Express middleware, the server): the catalogue's status and body, `WWW-Authenticate` on
 * every 401, `Retry-After` on a 503.
 *
 * @example errorResponse('method_not_allowed', { challenge, params: { method: 'PUT' } })
 * // { status: 405, headers: {}, body: { detail: 'Method "PUT" not allowed.' } }
 */
export function errorResponse(code: ErrorCode, options: ErrorResponseOptions): ErrorResponse {
  const { status } = errorCatalogue[code]
  const headers =
    status === 401
      ? { 'www-authenticate': options.challenge }
      : status === 503
        ? { 'retry-after': String(options.retryAfterSeconds ?? 1) }
        : NO_HEADERS
  return { status, headers, body: publicErrorBody(code, options.params) }
}

/**
 * A failed authentication of a bearer token (simplejwt's `JWTAuthentication`): a problem with
 * the token itself (the catalogue's `tokenProblem`) gets the "Given token not valid for any
 * token type" body; anything else (a bad header, no user id, a 503) the catalogue response.
 */
export function authenticationFailureResponse(
  code: ErrorCode,
  options: ErrorResponseOptions,
): ErrorResponse {
  if (errorCatalogue[code].tokenProblem !== true) return errorResponse(code, options)
  return {
    status: 401,
    headers: { 'www-authenticate': options.challenge },
    // Only token problems carry the flag (a test holds the catalogue to TokenErrorCode).
    body: authenticationFailureBody(code as TokenErrorCode),
  }
}

/**
 * The answer of a password step that needs a second factor: 401
 * `{"detail": "Multi-factor authentication required.", "code": "mfa_required", "mfa_token": "...",
 * "methods": [...]}` with the challenge: `methods` lists the user's second factors (`totp`,
 * `passkey`). The one builder for every login route (simplejwt's, djoser's, sliding).
 */
export function mfaRequiredResponse(
  error: MfaRequiredError,
  options: ErrorResponseOptions,
): ErrorResponse {
  const response = errorResponse('mfa_required', options)
  return {
    ...response,
    body: { ...response.body, mfa_token: error.mfaToken, methods: [...error.methods] },
  }
}
