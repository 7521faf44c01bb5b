import {
  authenticationFailureBody,
  type ErrorCode,
  errorCatalogue,
  publicErrorBody,
  type TokenErrorCode,
} from '@tessera/core'
import type { FastifyReply } from 'fastify'

/** simplejwt's `www_authenticate_realm`: every 401 carries this challenge (RFC 6750 3). */
export function wwwAuthenticate(headerType: string): string {
  return `${headerType} realm="api"`
}

/** Sends the catalogue body of `code` with its status (and the 401 challenge where due). */
export function sendError(
  reply: FastifyReply,
  code: ErrorCode,
  challenge: string,
  params?: Readonly<Record<string, string | number>>,
): FastifyReply {
  const { status } = errorCatalogue[code]
  if (status === 401) void reply.header('www-authenticate', challenge)
  // A 503 from here is the revocation view failing closed: it recovers within seconds.
  else if (status === 503) void reply.header('retry-after', '1')
  return reply.code(status).send(publicErrorBody(code, params))
}

/** A token problem on a protected route: simplejwt's "Given token not valid..." body. */
export function sendAuthenticationFailure(
  reply: FastifyReply,
  code: ErrorCode,
  challenge: string,
): FastifyReply {
  if (!code.startsWith('token_') || code === 'token_no_user_id')
    return sendError(reply, code, challenge)
  void reply.header('www-authenticate', challenge)
  return reply.code(401).send(authenticationFailureBody(code as TokenErrorCode))
}

/** DRF's 400 body of field errors. */
export function sendFieldErrors(
  reply: FastifyReply,
  fields: Readonly<Record<string, string[]>>,
): FastifyReply {
  return reply.code(400).send(fields)
}
