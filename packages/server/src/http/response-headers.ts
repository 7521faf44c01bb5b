import type { FastifyReply } from 'fastify'

/**
 * Sets the headers every response of the server carries: its request id. Called first thing
 * in the server's one `onRequest` hook, and by the answers written outside the hooks (Fastify's
 * framework errors).
 */
export function setResponseHeaders(reply: FastifyReply, requestId: string): void {
  reply.header('x-request-id', requestId)
}

/** The same headers for an answer written straight to the socket, as `name: value` lines. */
export function rawResponseHeaderLines(requestId: string): string[] {
  return [`x-request-id: ${requestId}`]
}
