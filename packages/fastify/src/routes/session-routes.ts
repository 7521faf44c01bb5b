import '../fastify-types.js'
import { isAuthenticated, type SessionRecord } from '@tessera/core'
import type { FastifyInstance } from 'fastify'
import { sendError } from '../drf-responses.js'
import { guard } from '../guard.js'
import { defineResource } from '../resource.js'
import type { RouteContext } from './route-context.js'

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

/** A session as `/api/sessions/` and the admin API list it. */
export function sessionBody(session: SessionRecord): Record<string, unknown> {
  return {
    id: session.id,
    device: session.device,
    ip: session.ip,
    created_at: iso(session.createdAt),
    last_used_at: iso(session.lastUsedAt),
    expires_at: iso(session.expiresAt),
  }
}

/** Sessions (refresh-token families) per device: list, revoke one, revoke all. */
export function registerSessionRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const signedIn = guard(isAuthenticated)

  defineResource(
    app,
    '/sessions/',
    {
      GET: {
        options: {
          preHandler: signedIn,
          schema: { summary: 'My live sessions, newest first', tags: ['sessions'] },
        },
        handler: async (request) => {
          if (!request.user.isAuthenticated) return []
          const sessions = await auth.stores.sessions.listSessions(
            request.user.id,
            Date.now() / 1000,
          )
          return sessions.map(sessionBody)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/sessions/:id/',
    {
      DELETE: {
        options: {
          preHandler: signedIn,
          schema: { summary: 'Revoke one of my sessions', tags: ['sessions'] },
        },
        handler: async (request, reply) => {
          const { id } = request.params as { id: string }
          const session = await auth.stores.sessions.findSession(id)
          // Someone else's session is "not found": its existence is not ours to reveal.
          if (
            !request.user.isAuthenticated ||
            session === undefined ||
            session.userId !== request.user.id ||
            session.revokedAt !== null
          ) {
            return sendError(reply, 'not_found', challenge)
          }
          await auth.revokeSession(session, { reason: 'revoked', by: 'user', ip: request.ip })
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/logout/all/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          schema: { summary: 'Log out everywhere', tags: ['sessions'] },
        },
        handler: async (request, reply) => {
          if (request.user.isAuthenticated) {
            await auth.revokeAllForUser(request.user.id, {
              reason: 'logout_all',
              by: 'user',
              ip: request.ip,
            })
          }
          context.cookies?.clear(reply)
          return {}
        },
      },
    },
    challenge,
  )
}
