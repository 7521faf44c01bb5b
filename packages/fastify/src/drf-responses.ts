import {
  authenticationFailureResponse,
  bearerChallenge,
  type ErrorCode,
  type ErrorResponse,
  errorResponse,
} from '@tessera/core'
import type { FastifyReply } from 'fastify'

/** simplejwt's `www_authenticate_realm`: every 401 carries this challenge (RFC 6750 3). */
export const wwwAuthenticate: (headerType: string) => string = bearerChallenge

/** Sends a core error response: status, headers, JSON body. */
export function sendResponse(reply: FastifyReply, response: ErrorResponse): FastifyReply {
  return reply.code(response.status).headers(response.headers).send(response.body)
}

/**
 * Sends the catalogue response of `code` (core's `errorResponse`): its status and body, the
 * challenge on a 401, `Retry-After` on a 503 (default 1 s).
 */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  challenge: string,
  params?: Readonly<Record<string, string | number>>,
  retryAfterSeconds?: number,
): FastifyReply {
  return sendResponse(reply, errorResponse(code, { challenge, params, retryAfterSeconds }))
}

/** A bad bearer token: simplejwt's "Given token not valid..." body (core's rule). */
export function sendAuthenticationFailure(
  reply: FastifyReply,
  code: ErrorCode,
  challenge: string,
  retryAfterSeconds?: number,
): FastifyReply {
  return sendResponse(reply, authenticationFailureResponse(code, { challenge, retryAfterSeconds }))
}

/** DRF's 400 body of field errors. */
export function sendFieldErrors(
  reply: FastifyReply,
  fields: Readonly<Record<string, string[]>>,
): FastifyReply {
  return reply.code(400).send(fields)
}
