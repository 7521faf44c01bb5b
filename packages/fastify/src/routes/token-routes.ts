import '../fastify-types.js'
import { type AuthService, TokenRevokedError } from '@tessera/core'
import type { FastifyInstance, onRequestHookHandler } from 'fastify'
import { sendError } from '../drf-responses.js'
import { passwordField, requiredString } from '../drf-validation.js'
import { defineResource } from '../resource.js'
import { registerCsrfRoute } from './csrf-route.js'
import {
  AUTH_BODY_LIMIT,
  PUBLIC_VIEW,
  passThrottle,
  type RouteContext,
  requestContext,
} from './route-context.js'
import { pairBodies } from './token-bodies.js'
import { cookiesFor, presentedRefresh } from './token-transport.js'

// The serializer writes only the members listed here, in this order: the responseExtras too.
// In cookie mode the tokens stay out of the body, so neither is required there.
export const tokenPair = {
  type: 'object',
  properties: {
    refresh: { type: 'string' },
    access: { type: 'string' },
    access_expires_at: { type: 'string' },
    access_expires_in: { type: 'integer' },
    device_token: { type: 'string' },
    user: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        username: { type: 'string' },
        email: { type: 'string' },
        first_name: { type: 'string' },
        last_name: { type: 'string' },
      },
    },
  },
  required: ['refresh', 'access'],
} as const

/** The 200 schema of the views answering a pair: in cookie modes neither token is required. */
export function pairResponseSchema(cookies: RouteContext['cookies']) {
  return cookies === undefined ? tokenPair : { ...tokenPair, required: [] as readonly string[] }
}

/**
 * The body of the login views: simplejwt's login field (`username`, or `email` with
 * `LOGIN_FIELD=email`, as simplejwt names it after Django's `USERNAME_FIELD`) and password, and
 * the device token of a device trusted at an earlier second-factor login (`remember_device`).
 */
function credentialsBody(field: string) {
  return {
    type: 'object',
    properties: {
      [field]: requiredString,
      password: passwordField,
      device_token: { type: 'string', maxLength: 256 },
    },
    required: [field, 'password'],
    additionalProperties: false,
  } as const
}

function body(field: string, required = true) {
  return {
    type: 'object',
    properties: { [field]: requiredString },
    ...(required ? { required: [field] } : {}),
    additionalProperties: false,
  } as const
}

/**
 * The `onRequest` of a password login: while the hashing queue is full the login waits for room
 * before its body is parsed, and is refused (503) if none frees up in time. A client refused at
 * once retries at once, and those instant refusals starved every other request (measured: hello
 * p99 during a login storm). A client that hangs up meanwhile is dropped by Fastify when its
 * body is read.
 */
function waitForPasswordHasher(auth: AuthService, challenge: string): onRequestHookHandler {
  return (_request, reply, done) => {
    if (!auth.passwordHasherBusy) return done()
    void auth.waitForPasswordHasher().then((room) => {
      if (room) done()
      else sendError(reply, 'service_unavailable', challenge)
    })
  }
}

/**
 * simplejwt's `TokenObtainPairView` at `path`: `/token/` here, `/jwt/create/` in the djoser
 * module. One definition, so both paths share the throttle, the hasher queue and the bodies.
 */
export function defineObtainPairRoute(
  app: FastifyInstance,
  context: RouteContext,
  path: string,
  summary: string,
): void {
  const { auth, challenge, cookies } = context
  const bodies = pairBodies(context)
  defineResource(
    app,
    path,
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          onRequest: waitForPasswordHasher(auth, challenge),
          schema: {
            summary,
            description:
              'For an account with two-factor authentication the answer is 401 ' +
              '`{"detail": "Multi-factor authentication required.", "code": "mfa_required", ' +
              '"mfa_token": "..."}`: continue at `POST /token/mfa/`. A `device_token` from an ' +
              'earlier `remember_device` login skips that step on a trusted device.',
            tags: ['tokens'],
            body: credentialsBody(auth.loginField),
            response: { 200: pairResponseSchema(cookies) },
          },
        },
        handler: async (request, reply) => {
          const viaCookies = cookiesFor(cookies, request, reply)
          if (viaCookies === null) return reply
          const input = request.body as Record<string, string>
          // DRF trims the CharField; the throttle is charged to the very name that is checked,
          // so ' peter' and 'peter ' cannot each get a fresh budget of guesses. The password is
          // never trimmed (see passwordField).
          const username = (input[auth.loginField] as string).trim()
          // Throttle before any password hash (security.md).
          if (!(await passThrottle(context.throttleLogin, request, reply, username))) return reply
          // An account with a second factor: MfaRequiredError, answered by the error handler.
          // A trusted device's token comes in the body (bearer) or its cookie (cookie mode).
          const deviceToken = input.device_token ?? viaCookies?.deviceToken(request)
          const login = await auth.login(username, input.password, requestContext(request), {
            deviceToken,
          })
          return bodies.login(reply, viaCookies, login)
        },
      },
    },
    challenge,
  )
}

/** simplejwt's `TokenRefreshView` at `path` (`/token/refresh/`, djoser's `/jwt/refresh/`). */
export function defineRefreshRoute(
  app: FastifyInstance,
  context: RouteContext,
  path: string,
): void {
  const { auth, challenge, cookies } = context
  const bodies = pairBodies(context)
  defineResource(
    app,
    path,
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Refresh: a new access token and, with rotation, a new refresh token',
            tags: ['tokens'],
            // In cookie modes the refresh token may come from its cookie instead of the body.
            body: body('refresh', cookies === undefined),
          },
        },
        handler: async (request, reply) => {
          const viaCookies = cookiesFor(cookies, request, reply)
          if (viaCookies === null) return reply
          const refresh = presentedRefresh(request, reply, viaCookies, challenge)
          if (refresh === undefined) return reply
          const result = await auth.rotateRefresh(refresh, requestContext(request))
          return bodies.refresh(reply, viaCookies, result)
        },
      },
    },
    challenge,
  )
}

/** simplejwt's `TokenVerifyView` at `path` (`/token/verify/`, djoser's `/jwt/verify/`). */
export function defineVerifyRoute(app: FastifyInstance, context: RouteContext, path: string): void {
  const { auth, challenge } = context
  defineResource(
    app,
    path,
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Verify a token of either type',
            tags: ['tokens'],
            body: body('token'),
          },
        },
        handler: async (request, reply) => {
          const { token } = request.body as { token: string }
          try {
            await auth.verifyToken(token)
          } catch (error) {
            // simplejwt's TokenVerifySerializer raises a ValidationError for blacklisted tokens.
            if (error instanceof TokenRevokedError) {
              return reply.code(400).send({ non_field_errors: ['Token is blacklisted'] })
            }
            throw error
          }
          return {}
        },
      },
    },
    challenge,
  )
}

/** simplejwt's four token views, plus the sliding ones when enabled. */
export function registerTokenRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge, options, cookies } = context
  defineObtainPairRoute(
    app,
    context,
    '/token/',
    'Obtain a refresh + access token pair (simplejwt TokenObtainPairView)',
  )
  defineRefreshRoute(app, context, '/token/refresh/')
  defineVerifyRoute(app, context, '/token/verify/')

  defineResource(
    app,
    '/token/blacklist/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Log out: revoke the session of a refresh token',
            tags: ['tokens'],
            body: body('refresh', cookies === undefined),
          },
        },
        handler: async (request, reply) => {
          const viaCookies = cookiesFor(cookies, request, reply)
          if (viaCookies === null) return reply
          // The browser forgets the session whatever happens next, even if it was already over.
          viaCookies?.clear(reply)
          const refresh = presentedRefresh(request, reply, viaCookies, challenge)
          if (refresh === undefined) return reply
          // The blacklist view does not authenticate, but a valid access token of the same user
          // sent along is revoked too: logging out ends the access token, not only the session.
          // While the revocation view fails closed the token is still genuine: revoke it too.
          const { authenticator } = request.server.tessera
          const accessCookie = viaCookies?.accessToken(request)
          const bearer =
            accessCookie === undefined
              ? authenticator.authenticate(request.headers.authorization)
              : authenticator.authenticateToken(accessCookie)
          const access =
            bearer.status === 'authenticated'
              ? bearer.token
              : bearer.status === 'failed'
                ? bearer.genuine
                : undefined
          await auth.logout(refresh, requestContext(request), access)
          return {}
        },
      },
    },
    challenge,
  )

  if (cookies !== undefined) registerCsrfRoute(app, cookies, challenge)
  if (options.slidingTokens === true) registerSlidingRoutes(app, context)
}

function registerSlidingRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  defineResource(
    app,
    '/token/sliding/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          onRequest: waitForPasswordHasher(auth, challenge),
          schema: {
            summary: 'Obtain a sliding token (simplejwt TokenObtainSlidingView)',
            tags: ['tokens'],
            body: credentialsBody(auth.loginField),
          },
        },
        handler: async (request, reply) => {
          const input = request.body as Record<string, string>
          const username = (input[auth.loginField] as string).trim()
          if (!(await passThrottle(context.throttleLogin, request, reply, username))) return reply
          const token = await auth.obtainSlidingToken(
            username,
            input.password,
            requestContext(request),
          )
          return { token: token.token }
        },
      },
    },
    challenge,
  )
  defineResource(
    app,
    '/token/sliding/refresh/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: { summary: 'Refresh a sliding token', tags: ['tokens'], body: body('token') },
        },
        handler: async (request) => {
          const { token } = request.body as { token: string }
          return { token: (await auth.refreshSlidingToken(token)).token }
        },
      },
    },
    challenge,
  )
}
