import '../fastify-types.js'
import { isAuthenticated, type UserRecord } from '@tessera/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { passwordField } from '../drf-validation.js'
import { guard } from '../guard.js'
import { defineResource } from '../resource.js'
import {
  AUTH_BODY_LIMIT,
  PUBLIC_VIEW,
  passThrottle,
  type RouteContext,
  requestContext,
} from './route-context.js'
import { pairBodies } from './token-bodies.js'
import { cookiesFor } from './token-transport.js'

/** The public view of a user, as `/api/register/` and `/api/me/` answer it. */
export function userBody(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    ...user.profile,
  }
}

function currentUser(request: FastifyRequest): UserRecord {
  const { user } = request
  if (!user.isAuthenticated || user.record === undefined)
    throw new Error('guarded route reached without a user')
  return user.record
}

/** Registration, the hello example, the profile and the password change. */
export function registerAccountRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const signedIn = guard(isAuthenticated)

  defineResource(
    app,
    '/register/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Register a user',
            tags: ['account'],
            body: { type: 'object' },
          },
        },
        handler: async (request, reply) => {
          if (!(await passThrottle(context.throttleRegister, request, reply))) return reply
          const user = await auth.register(
            request.body as Record<string, unknown>,
            requestContext(request),
          )
          return reply.code(201).send(userBody(user))
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/hello/',
    {
      GET: {
        options: {
          preHandler: signedIn,
          schema: {
            summary: 'The protected example view',
            tags: ['account'],
            // A response schema lets Fastify compile the serializer: this view is the hot path.
            response: {
              200: {
                type: 'object',
                properties: { msg: { type: 'string' } },
                required: ['msg'],
                additionalProperties: false,
              },
            },
          },
        },
        // Synchronous: no promise on the hot path.
        handler: (request, reply) => {
          const user = currentUser(request)
          reply.send({ msg: `Hello ${user.firstName} ${user.lastName}` })
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/me/',
    {
      GET: {
        options: {
          preHandler: signedIn,
          schema: { summary: 'The signed-in user', tags: ['account'] },
        },
        handler: async (request) => {
          const user = currentUser(request)
          return {
            ...userBody(user),
            is_staff: user.isStaff,
            date_joined: new Date(user.dateJoined * 1000).toISOString(),
            last_login:
              user.lastLogin === null ? null : new Date(user.lastLogin * 1000).toISOString(),
          }
        },
      },
      PATCH: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Update email, names and profile fields',
            tags: ['account'],
            body: { type: 'object' },
          },
        },
        handler: async (request) => {
          const updated = await auth.updateProfile(
            currentUser(request),
            request.body as Record<string, unknown>,
          )
          request.server.tessera.users.set(updated.id, updated)
          return userBody(updated)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/password/change/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Change the password; ends every other session',
            tags: ['account'],
            body: {
              type: 'object',
              properties: { old_password: passwordField, new_password: passwordField },
              required: ['old_password', 'new_password'],
              additionalProperties: false,
            },
          },
        },
        handler: async (request, reply) => {
          const viaCookies = cookiesFor(context.cookies, request, reply)
          if (viaCookies === null) return reply
          const user = currentUser(request)
          // The old password costs a hash: throttle it like a login for this username.
          if (!(await passThrottle(context.throttleLogin, request, reply, user.username)))
            return reply
          const { old_password: oldPassword, new_password: newPassword } = request.body as Record<
            string,
            string
          >
          const session = await auth.changePassword(
            user,
            oldPassword as string,
            newPassword as string,
            requestContext(request),
          )
          // Cookie mode: the new session goes in the cookies (the old ones name a family the
          // change just ended), never in the body.
          if (viaCookies !== undefined)
            return pairBodies(context).refresh(reply, viaCookies, session)
          return { refresh: session.refresh.token, access: session.access.token }
        },
      },
    },
    challenge,
  )
}
