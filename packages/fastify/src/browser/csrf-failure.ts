import { publicErrorBody } from '@tessera/core'
import type { FastifyReply } from 'fastify'

/** Answers DRF's 403 for a failed CSRF check: `{"detail": "CSRF Failed: <reason>", "code": "csrf_failed"}`. */
export function sendCsrfFailure(reply: FastifyReply, reason: string): FastifyReply {
  return reply.code(403).send(publicErrorBody('csrf_failed', { reason }))
}
