import {
  bearerChallenge,
  type ErrorCode,
  MfaRequiredError,
  mfaRequiredResponse,
  PasswordHasherBusyError,
  ServiceUnavailableError,
  TesseraError,
  ValidationError,
} from '@tessera/core'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { sendError, sendResponse } from './drf-responses.js'
import { fieldErrorsFromAjv } from './drf-validation.js'

/** The catalogue code of an error Fastify raised, and the values of its message. */
interface FastifyErrorAnswer {
  readonly code: ErrorCode
  readonly params?: Readonly<Record<string, string>>
}

/**
 * What the contract answers for Fastify's own errors. Their messages are never sent: several
 * quote the input (the path of FST_ERR_BAD_URL, the media type...).
 */
function answerFastifyError(error: FastifyError, request: FastifyRequest): FastifyErrorAnswer {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      // DRF names the media type (api-contract.md); it goes out JSON-encoded.
      return {
        code: 'unsupported_media_type',
        params: { media_type: String(request.headers['content-type'] ?? '') },
      }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload_too_large' }
    // The API's JSON parser words its message itself: a position, never the body.
    case 'TESSERA_JSON_PARSE':
      return { code: 'parse_error', params: { reason: error.message } }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'parse_error', params: { reason: 'Invalid JSON' } }
    // A parameter longer than `maxParamLength` cannot name anything: as DRF, "Not found.".
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return { code: 'not_found' }
    default:
      break
  }
  const status = error.statusCode
  return status !== undefined && status >= 400 && status < 500
    ? { code: 'malformed_request' }
    : { code: 'server_error' }
}

/**
 * A Fastify error handler that answers every failure with the contract's bodies: DRF field
 * errors, token errors, 415/413/400 parse errors, 503 with `Retry-After`, 400
 * "Malformed request." for any other client error. Anything unexpected is logged (the error
 * only, never the body) and answered 500 "A server error occurred.", never a stack or an
 * error's own message. The API routes use it; set it on your own scopes for the same answers.
 *
 * @param challenge - The `WWW-Authenticate` value of a 401. Default `Bearer realm="api"`.
 * @example app.setErrorHandler(createErrorHandler())
 */
export function createErrorHandler(challenge: string = bearerChallenge('Bearer')) {
  return function handleError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
    if (error.validation !== undefined) {
      return reply.code(400).send(fieldErrorsFromAjv(error.validation, request.body))
    }
    if (error instanceof ValidationError) return reply.code(400).send(error.fields)
    if (error instanceof PasswordHasherBusyError || error instanceof ServiceUnavailableError) {
      if (!(error instanceof PasswordHasherBusyError))
        request.log.error(
          { err: { type: error.name, message: error.message } },
          'store unavailable',
        )
      return sendError(reply, 'service_unavailable', challenge, undefined, error.retryAfterSeconds)
    }
    // The password step of an account with a second factor: the body carries the mfa token.
    if (error instanceof MfaRequiredError) {
      return sendResponse(reply, mfaRequiredResponse(error, { challenge }))
    }
    // Token errors become simplejwt's `{"detail": "Token is ...", "code": "token_not_valid"}`.
    if (error instanceof TesseraError) return sendError(reply, error.code, challenge)
    const answer = answerFastifyError(error, request)
    if (answer.code === 'server_error') {
      request.log.error(
        { err: { type: error.name, message: error.message, code: error.code } },
        'unexpected error',
      )
    }
    return sendError(reply, answer.code, challenge, answer.params)
  }
}

/**
 * Fastify's `frameworkErrors` option: the errors Fastify raises before any route, hook or
 * plugin runs (a bad percent-encoding in the URL, a path parameter over `maxParamLength`)
 * answered with the contract's bodies (400 "Malformed request.", 404 "Not found.", with
 * `Cache-Control: no-store`) instead of Fastify's, which echo the path. Only the application's
 * options can set it.
 *
 * @example const app = Fastify({ frameworkErrors: handleFrameworkError })
 */
export function handleFrameworkError(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  const { code } = answerFastifyError(error, request)
  // No route ran, so no route config says what may be cached: nothing, to be safe.
  void reply.header('cache-control', 'no-store')
  // An async constraint failing (FST_ERR_ASYNC_CONSTRAINT) is a bug of ours: log it.
  if (code === 'server_error') {
    request.log.error({ err: { type: error.name, code: error.code } }, 'unexpected error')
  }
  return sendError(reply, code, bearerChallenge('Bearer'))
}
