import {
  authenticationFailureBody,
  errorCatalogue,
  publicErrorBody,
} from '../errors/error-catalogue.js'
import type { ErrorCode, TokenErrorCode } from '../errors/error-codes.js'

/** A framework-agnostic error response: status, headers and JSON body. */
export interface ErrorResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: object
}

/** simplejwt's `www_authenticate_realm`: every 401 carries `<scheme> realm="api"` (RFC 6750 3). */
export function bearerChallenge(scheme: string): string {
  return `${scheme} realm="api"`
}

/**
 * The response for `code`, exactly as the Fastify plugin sends it: the catalogue body and
 * status, `WWW-Authenticate` on every 401, `Retry-After` on a 503 (default 1 s: the revocation
 * view failing closed recovers within seconds).
 */
export function errorResponse(
  code: ErrorCode,
  challenge: string,
  retryAfterSeconds = 1,
): ErrorResponse {
  const { status } = errorCatalogue[code]
  const headers: Record<string, string> =
    status === 401
      ? { 'www-authenticate': challenge }
      : status === 503
        ? { 'retry-after': String(retryAfterSeconds) }
        : {}
  return { status, headers, body: publicErrorBody(code) }
}

/**
 * A failed authentication: simplejwt's "Given token not valid for any token type" body for a
 * token problem, the catalogue body otherwise (bad header, no user id, 503).
 */
export function authenticationFailureResponse(
  code: ErrorCode,
  challenge: string,
  retryAfterSeconds = 1,
): ErrorResponse {
  if (!code.startsWith('token_') || code === 'token_no_user_id')
    return errorResponse(code, challenge, retryAfterSeconds)
  return {
    status: 401,
    headers: { 'www-authenticate': challenge },
    body: authenticationFailureBody(code as TokenErrorCode),
  }
}
