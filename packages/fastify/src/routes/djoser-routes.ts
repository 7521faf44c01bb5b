import '../fastify-types.js'
import {
  EmailNotFoundError,
  FlowDisabledError,
  isAuthenticated,
  type UserRecord,
} from '@tessera/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify'
import { guard } from '../guard.js'
import type { DjoserRouteOptions } from '../plugin-options.js'
import { defineResource } from '../resource.js'
import {
  AUTH_BODY_LIMIT,
  PUBLIC_VIEW,
  passThrottle,
  type RouteContext,
  requestContext,
} from './route-context.js'
import { defineObtainPairRoute, defineRefreshRoute, defineVerifyRoute } from './token-routes.js'

/**
 * djoser's user body (`UserSerializer`: `REQUIRED_FIELDS` + id + login field), in Django's
 * order, the id a number as Django's integer primary key.
 */
export function djoserUserBody(user: UserRecord): Record<string, unknown> {
  return { email: user.email, id: Number(user.id), username: user.username }
}

/**
 * A body schema that only types the fields (a string each) for the docs and DRF's type
 * messages; what is required, blank or wrong is decided by the services, in djoser's order.
 * Unknown members are ignored, as DRF's serializers ignore them.
 */
function fields(...names: string[]) {
  return {
    type: 'object',
    properties: Object.fromEntries(names.map((name) => [name, { type: 'string' }])),
  } as const
}

const noContent = { 204: { type: 'null', description: 'Done (no body).' } } as const

function currentUser(request: FastifyRequest): UserRecord {
  const { user } = request
  if (!user.isAuthenticated || user.record === undefined)
    throw new Error('guarded route reached without a user')
  return user.record
}

/**
 * Sends djoser's bodies for the flows' own refusals: a bare 400 for a flow the settings turn off,
 * `["User with given email does not exist."]` when the settings ask to say so.
 */
async function answeringFlowErrors(
  reply: FastifyReply,
  work: () => Promise<void>,
): Promise<FastifyReply> {
  try {
    await work()
  } catch (error) {
    if (error instanceof FlowDisabledError) return reply.code(400).send()
    if (error instanceof EmailNotFoundError) {
      return reply.code(400).send(['User with given email does not exist.'])
    }
    throw error
  }
  return reply.code(204).send()
}

/**
 * djoser's routes under the module's prefix (`/auth`): `users/` and its actions, and
 * `jwt/create|refresh|verify` (the very token views of `/api/token/...`). A route module over the
 * same services as the API's: all logic is in `AuthService`.
 */
export function registerDjoserRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const djoser: DjoserRouteOptions =
    (context.options.djoser === false ? undefined : context.options.djoser) ?? {}
  const signedIn = guard(isAuthenticated)
  const tags = ['djoser']
  const post = (
    path: string,
    summary: string,
    bodyFields: string[],
    handler: RouteHandlerMethod,
    options: { readonly authenticated?: boolean } = {},
  ) =>
    defineResource(
      app,
      path,
      {
        POST: {
          options: {
            ...(options.authenticated === true
              ? { preHandler: signedIn }
              : { config: PUBLIC_VIEW }),
            bodyLimit: AUTH_BODY_LIMIT,
            schema: { summary, tags, body: fields(...bodyFields), response: noContent },
          },
          handler,
        },
      },
      challenge,
    )
  /** Throttles a request that mails the address of its body, before any lookup. */
  const mailThrottled =
    (work: (body: Record<string, unknown>) => Promise<void>): RouteHandlerMethod =>
    async (request, reply) => {
      const body = request.body as Record<string, unknown>
      if (!(await passThrottle(context.throttleMail, request, reply, body.email))) return reply
      return answeringFlowErrors(reply, () => work(body))
    }

  defineResource(
    app,
    '/users/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Register (djoser UserViewSet.create); inactive until activated when enabled',
            tags,
            body: fields('username', 'email', 'password', 're_password'),
            response: {
              201: {
                type: 'object',
                properties: {
                  email: { type: 'string' },
                  username: { type: 'string' },
                  id: { type: 'integer' },
                },
              },
            },
          },
        },
        handler: async (request, reply) => {
          if (!(await passThrottle(context.throttleRegister, request, reply))) return reply
          const body = request.body as Record<string, unknown>
          // djoser's UserCreateSerializer has the login field, REQUIRED_FIELDS and the password.
          const user = await auth.register(
            {
              username: body.username,
              email: body.email,
              password: body.password,
              re_password: body.re_password,
            },
            requestContext(request),
            { retype: djoser.userCreatePasswordRetype === true },
          )
          return reply
            .code(201)
            .send({ email: user.email, username: user.username, id: Number(user.id) })
        },
      },
      GET: {
        options: {
          preHandler: signedIn,
          schema: { summary: 'Users: yourself, or everyone for staff (djoser list)', tags },
        },
        handler: async (request) => {
          const user = currentUser(request)
          if (!user.isStaff) return [djoserUserBody(user)]
          const users = await auth.stores.users.listUsers({ limit: 1000 })
          return users.map(djoserUserBody)
        },
      },
    },
    challenge,
  )

  const meBody = { type: 'object', properties: { email: { type: 'string' } } } as const
  const updateMe: RouteHandlerMethod = async (request) => {
    const updated = await auth.updateDjoserProfile(
      currentUser(request),
      request.body as Record<string, unknown>,
    )
    request.server.tessera.users.set(updated.id, updated)
    return djoserUserBody(updated)
  }
  defineResource(
    app,
    '/users/me/',
    {
      GET: {
        options: { preHandler: signedIn, schema: { summary: 'The signed-in user (djoser)', tags } },
        handler: async (request) => djoserUserBody(currentUser(request)),
      },
      PUT: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: { summary: 'Update the email (djoser)', tags, body: meBody },
        },
        handler: updateMe,
      },
      PATCH: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: { summary: 'Update the email (djoser)', tags, body: meBody },
        },
        handler: updateMe,
      },
      DELETE: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Delete the account, given current_password (djoser)',
            tags,
            body: fields('current_password'),
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          // The current password costs a hash: throttled like a login of this user.
          if (!(await passThrottle(context.throttleLogin, request, reply, user.username)))
            return reply
          await auth.deleteAccount(
            user,
            (request.body ?? {}) as Record<string, unknown>,
            requestContext(request),
          )
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  post(
    '/users/activation/',
    'Activate an account from the link of its activation mail',
    ['uid', 'token'],
    async (request, reply) => {
      await auth.activate(request.body as Record<string, unknown>, requestContext(request))
      return reply.code(204).send()
    },
  )
  post(
    '/users/resend_activation/',
    'Mail a new activation link (same answer for every address)',
    ['email'],
    mailThrottled((body) => auth.resendActivation(body)),
  )
  post(
    '/users/reset_password/',
    'Mail a password reset link (same answer, same time, for every address)',
    ['email'],
    mailThrottled((body) => auth.requestPasswordReset(body)),
  )
  post(
    '/users/reset_password_confirm/',
    'Set a new password from a reset link; ends every session of the user',
    ['uid', 'token', 'new_password', 're_new_password'],
    async (request, reply) => {
      await auth.confirmPasswordReset(
        request.body as Record<string, unknown>,
        { retype: djoser.passwordResetConfirmRetype === true },
        requestContext(request),
      )
      return reply.code(204).send()
    },
  )
  post(
    '/users/reset_username/',
    'Mail a username reset link (same answer for every address)',
    ['email'],
    mailThrottled((body) => auth.requestUsernameReset(body)),
  )
  post(
    '/users/reset_username_confirm/',
    'Set a new username from a reset link',
    ['uid', 'token', 'new_username', 're_new_username'],
    async (request, reply) => {
      await auth.confirmUsernameReset(
        request.body as Record<string, unknown>,
        { retype: djoser.usernameResetConfirmRetype === true },
        requestContext(request),
      )
      return reply.code(204).send()
    },
  )
  post(
    '/users/set_password/',
    'Change the password, given current_password; ends every session',
    ['current_password', 'new_password', 're_new_password'],
    async (request, reply) => {
      const user = currentUser(request)
      if (!(await passThrottle(context.throttleLogin, request, reply, user.username))) return reply
      await auth.setPassword(
        user,
        request.body as Record<string, unknown>,
        { retype: djoser.setPasswordRetype === true },
        requestContext(request),
      )
      return reply.code(204).send()
    },
    { authenticated: true },
  )
  post(
    '/users/set_username/',
    'Change the username, given current_password',
    ['current_password', 'new_username', 're_new_username'],
    async (request, reply) => {
      const user = currentUser(request)
      if (!(await passThrottle(context.throttleLogin, request, reply, user.username))) return reply
      const updated = await auth.setUsername(
        user,
        request.body as Record<string, unknown>,
        { retype: djoser.setUsernameRetype === true },
        requestContext(request),
      )
      request.server.tessera.users.set(updated.id, updated)
      return reply.code(204).send()
    },
    { authenticated: true },
  )
  post(
    '/users/email_change_confirm/',
    'Confirm a new email address from the link mailed to it (Tessera)',
    ['uid', 'token'],
    async (request, reply) => {
      await auth.confirmEmailChange(
        request.body as Record<string, unknown>,
        requestContext(request),
      )
      return reply.code(204).send()
    },
  )

  defineObtainPairRoute(
    app,
    context,
    '/jwt/create/',
    'Obtain a refresh + access token pair (djoser jwt/create, simplejwt TokenObtainPairView)',
  )
  defineRefreshRoute(app, context, '/jwt/refresh/')
  defineVerifyRoute(app, context, '/jwt/verify/')
}
