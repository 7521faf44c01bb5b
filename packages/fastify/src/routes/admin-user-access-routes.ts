import '../fastify-types.js'
import type { UserRecord } from '@tessera/core'
import { NotFoundError } from '@tessera/core/admin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { defineResource } from '../resource.js'
import { actorOf, adminGuards, idParams, noContent, staffActing } from './admin-shared.js'
import { deviceBody } from './mfa-routes.js'
import { type RouteContext, requestContext } from './route-context.js'
import { sessionBody } from './session-routes.js'

const twoIds = (second: string) =>
  ({
    type: 'object',
    properties: { id: { type: 'string' }, [second]: { type: 'string' } },
    required: ['id', second],
  }) as const

const sessionItem = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    device: { type: 'string' },
    ip: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: 'string', format: 'date-time' },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const

const deviceItem = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    device: { type: 'string' },
    ip: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const

/**
 * `/admin/users/:id/...`: a user's sessions and trusted devices (list, revoke), logout
 * everywhere, group memberships and direct permissions (PUT adds, DELETE removes; both
 * idempotent, 204).
 */
export function registerAdminUserAccessRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const staffMfa = (user: UserRecord) => auth.requireStaffMfa(user)
  const read = adminGuards(staffMfa)
  const change = adminGuards(staffMfa, 'auth.change_user')
  const tags = ['admin', 'sessions']

  async function targetUser(request: FastifyRequest): Promise<UserRecord> {
    const { id } = request.params as { id: string }
    const user = await auth.stores.users.findUserById(id)
    if (user === undefined) throw new NotFoundError('user')
    return user
  }

  defineResource(
    app,
    '/admin/users/:id/sessions/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: "Staff: a user's live sessions, newest first",
            tags,
            params: idParams,
            response: { 200: { type: 'array', items: sessionItem } },
          },
        },
        handler: async (request) => {
          const user = await targetUser(request)
          return (await auth.stores.sessions.listSessions(user.id, Date.now() / 1000)).map(
            sessionBody,
          )
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/sessions/:session_id/',
    {
      DELETE: {
        options: {
          preValidation: change,
          schema: {
            summary: "Revoke one of a user's sessions",
            tags,
            params: twoIds('session_id'),
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const user = await targetUser(request)
          const { session_id: sessionId } = request.params as { session_id: string }
          const session = await auth.stores.sessions.findSession(sessionId)
          if (session === undefined || session.userId !== user.id || session.revokedAt !== null) {
            throw new NotFoundError('session')
          }
          await auth.revokeSession(session, { reason: 'revoked', ...staffActing(request) })
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/logout_all/',
    {
      POST: {
        options: {
          preValidation: change,
          schema: {
            summary: 'End every session of a user and cut off their tokens',
            tags,
            params: idParams,
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const user = await targetUser(request)
          await auth.revokeAllForUser(user.id, { reason: 'logout_all', ...staffActing(request) })
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/devices/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: "Staff: a user's trusted devices",
            tags: ['admin', 'mfa'],
            params: idParams,
            response: { 200: { type: 'array', items: deviceItem } },
          },
        },
        handler: async (request) => {
          const user = await targetUser(request)
          return (await auth.listTrustedDevices(user.id)).map(deviceBody)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/devices/:device_id/',
    {
      DELETE: {
        options: {
          preValidation: change,
          schema: {
            summary: "Stop trusting one of a user's devices",
            tags: ['admin', 'mfa'],
            params: twoIds('device_id'),
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const user = await targetUser(request)
          const { device_id: deviceId } = request.params as { device_id: string }
          if (!(await auth.revokeTrustedDevice(user.id, deviceId, requestContext(request)))) {
            throw new NotFoundError('device')
          }
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/groups/:group_id/',
    {
      PUT: {
        options: {
          preValidation: change,
          schema: {
            summary: 'Put a user in a group (idempotent)',
            tags: ['admin', 'groups'],
            params: twoIds('group_id'),
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id, group_id: groupId } = request.params as { id: string; group_id: string }
          await auth.admin.setMembership(actorOf(request), id, groupId, true)
          return reply.code(204).send()
        },
      },
      DELETE: {
        options: {
          preValidation: change,
          schema: {
            summary: 'Take a user out of a group (idempotent)',
            tags: ['admin', 'groups'],
            params: twoIds('group_id'),
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id, group_id: groupId } = request.params as { id: string; group_id: string }
          await auth.admin.setMembership(actorOf(request), id, groupId, false)
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/permissions/:permission/',
    {
      PUT: {
        options: {
          preValidation: change,
          schema: {
            summary: 'Grant a user a permission `app_label.codename` (idempotent)',
            tags: ['admin', 'permissions'],
            params: twoIds('permission'),
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id, permission } = request.params as { id: string; permission: string }
          await auth.admin.setPermission(actorOf(request), { kind: 'user', id }, permission, true)
          return reply.code(204).send()
        },
      },
      DELETE: {
        options: {
          preValidation: change,
          schema: {
            summary: "Revoke a user's direct permission (idempotent)",
            tags: ['admin', 'permissions'],
            params: twoIds('permission'),
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id, permission } = request.params as { id: string; permission: string }
          await auth.admin.setPermission(actorOf(request), { kind: 'user', id }, permission, false)
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )
}
