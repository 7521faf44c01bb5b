import {
  PasswordHasherBusyError,
  ServiceUnavailableError,
  TesseraError,
  ValidationError,
} from '@tessera/core'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { sendError } from './drf-responses.js'
import { fieldErrorsFromAjv } from './drf-validation.js'

/**
 * Turns every failure inside the API routes into the contract's bodies: field errors, token
 * errors, 415/413/400 parse errors, 503 with Retry-After. Anything unexpected is logged (the
 * error only, never the body) and answered 500 "A server error occurred.", never a stack.
 */
export function createApiErrorHandler(challenge: string) {
  return function handleApiError(
    error: FastifyError,
    request: FastifyRequest,
    reply: FastifyReply,
  ) {
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
    // Token errors become simplejwt's `{"detail": "Token is ...", "code": "token_not_valid"}`.
    if (error instanceof TesseraError) return sendError(reply, error.code, challenge)
    switch (error.code) {
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendError(reply, 'unsupported_media_type', challenge, {
          media_type: String(request.headers['content-type'] ?? ''),
        })
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendError(reply, 'payload_too_large', challenge)
      // Our parser's message is a position in our own words; Fastify's parser's is not used.
      case 'TESSERA_JSON_PARSE':
        return sendError(reply, 'parse_error', challenge, { reason: error.message })
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return sendError(reply, 'parse_error', challenge, { reason: 'Invalid JSON' })
      default:
        break
    }
    if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(400).send({ detail: 'Malformed request.' })
    }
    request.log.error(
      { err: { type: error.name, message: error.message, code: error.code } },
      'unexpected error',
    )
    return sendError(reply, 'server_error', challenge)
  }
}
