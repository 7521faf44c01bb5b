import '../fastify-types.js'
import {
  isAdminUser,
  isAuthenticated,
  type PasskeyRecord,
  type UserRecord,
  ValidationError,
} from '@tessera/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sendError } from '../drf-responses.js'
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
import { pairResponseSchema } from './token-routes.js'
import { cookiesFor } from './token-transport.js'

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

const base64url = { type: 'string', minLength: 1, maxLength: 2048, pattern: '^[A-Za-z0-9_-]+$' }

/**
 * A `PublicKeyCredential` as `@simplewebauthn/browser` serializes it: the shape only; the
 * service checks every byte. Bodies are capped at 16 KiB like every auth route.
 */
export const publicKeyCredentialSchema = {
  type: 'object',
  properties: {
    id: base64url,
    rawId: base64url,
    type: { type: 'string', const: 'public-key' },
    response: { type: 'object' },
    clientExtensionResults: { type: 'object' },
    authenticatorAttachment: { type: 'string' },
  },
  required: ['id', 'rawId', 'type', 'response'],
} as const

/** Options for `navigator.credentials.create()`/`get()` as WebAuthn's JSON serialization. */
const ceremonyOptions = {
  type: 'object',
  properties: { challenge: { type: 'string' } },
  required: ['challenge'],
  additionalProperties: true,
} as const

/** A passkey in the API document. */
export const passkeySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    last_used_at: { type: ['string', 'null'], format: 'date-time' },
    transports: { type: 'array', items: { type: 'string' } },
    device_type: { type: 'string', enum: ['singleDevice', 'multiDevice'] },
    backed_up: { type: 'boolean' },
    possibly_cloned: { type: 'boolean' },
  },
  required: ['id', 'name', 'created_at', 'last_used_at', 'transports', 'backed_up'],
} as const

const nameField = { type: 'string', minLength: 1, maxLength: 128 } as const

/** A passkey as its owner and admins see it: never the public key. */
export function passkeyBody(passkey: PasskeyRecord): Record<string, unknown> {
  return {
    id: passkey.id,
    name: passkey.name,
    created_at: iso(passkey.createdAt),
    last_used_at: passkey.lastUsedAt === null ? null : iso(passkey.lastUsedAt),
    transports: [...passkey.transports],
    device_type: passkey.deviceType,
    backed_up: passkey.backedUp,
    possibly_cloned: passkey.clonedAt !== null,
  }
}

function currentUser(request: FastifyRequest): UserRecord {
  const { user } = request
  if (!user.isAuthenticated || user.record === undefined)
    throw new Error('guarded route reached without a user')
  return user.record
}

/**
 * Passkeys (WebAuthn): the registration and login ceremonies, each an options call and a
 * verify call, and the user's own list. Mounted only when the service has a relying party.
 */
export function registerPasskeyRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const { passkeys } = auth
  if (passkeys === undefined) return
  const signedIn = guard(isAuthenticated)

  defineResource(
    app,
    '/passkeys/register/options/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Start adding a passkey: options for navigator.credentials.create()',
            description:
              'A challenge for the signed-in user, single use and valid for five minutes ' +
              '(kept server-side), the relying party, and the passkeys the user already has ' +
              '(`excludeCredentials`). Pass the object to `@simplewebauthn/browser`’s ' +
              '`startRegistration({ optionsJSON })`.',
            tags: ['passkeys'],
            response: { 200: ceremonyOptions },
          },
        },
        handler: async (request) => passkeys.registrationOptions(currentUser(request)),
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/passkeys/register/verify/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Finish adding a passkey: the answer of navigator.credentials.create()',
            description:
              'Checks the challenge (once), origin, RP ID, user verification and the key, then ' +
              'stores the passkey: 201 with it. A refused answer is 400 ' +
              '`{"response": ["The passkey could not be verified."]}`.',
            tags: ['passkeys'],
            body: {
              type: 'object',
              properties: { response: publicKeyCredentialSchema, name: nameField },
              required: ['response'],
              additionalProperties: false,
            },
            response: { 201: passkeySchema },
          },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          const body = request.body as { response: unknown; name?: string }
          const passkey = await passkeys.register(user, body, requestContext(request))
          return reply.code(201).send(passkeyBody(passkey))
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/passkeys/login/options/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Start a passkey login: options for navigator.credentials.get()',
            description:
              'Without a body member: a usernameless login (the authenticator offers the ' +
              'passkeys it holds for this site). With `username`: an allow-list of that ' +
              'user’s passkeys (empty for an unknown user, as for one without passkeys). With ' +
              'the `mfa_token` of a 401 `mfa_required`: the second step of a password login, ' +
              'answered at `POST /token/mfa/` with `passkey`.',
            tags: ['passkeys', 'tokens'],
            body: {
              type: 'object',
              properties: {
                username: { type: 'string', maxLength: 600 },
                mfa_token: { type: 'string', minLength: 1, maxLength: 4096 },
              },
              additionalProperties: false,
            },
            response: { 200: ceremonyOptions },
          },
        },
        handler: async (request, reply) => {
          const body = (request.body ?? {}) as { username?: string; mfa_token?: string }
          if (body.username !== undefined && body.mfa_token !== undefined) {
            throw new ValidationError({
              non_field_errors: ['Give either username or mfa_token, not both.'],
            })
          }
          if (body.mfa_token !== undefined) {
            const verified = auth.verifyMfaToken(body.mfa_token)
            return passkeys.loginOptions({ mfaToken: verified })
          }
          // A lookup by name: charged like a login of that name, so it cannot map accounts.
          if (!(await passThrottle(context.throttleLogin, request, reply, body.username)))
            return reply
          return passkeys.loginOptions({ username: body.username?.trim() })
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/passkeys/login/verify/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Log in with a passkey, without a password: the login pair or cookies',
            description:
              'The answer of navigator.credentials.get() to a challenge of ' +
              '`POST /passkeys/login/options/`. Answers exactly as `POST /token/` does (the ' +
              'pair, or the cookies in cookie mode). Every failure is 401 ' +
              '`{"detail":"Passkey authentication failed.","code":"passkey_invalid"}`. Without ' +
              'user verification (`WEBAUTHN_USER_VERIFICATION=preferred`) an account with TOTP ' +
              'gets the 401 `mfa_required` of a password login.',
            tags: ['passkeys', 'tokens'],
            body: {
              type: 'object',
              properties: {
                response: publicKeyCredentialSchema,
                device_token: { type: 'string', maxLength: 256 },
              },
              required: ['response'],
              additionalProperties: false,
            },
            response: { 200: pairResponseSchema(context.cookies) },
          },
        },
        handler: async (request, reply) => {
          const viaCookies = cookiesFor(context.cookies, request, reply)
          if (viaCookies === null) return reply
          // Per client IP, like a password login whose name is not known yet.
          if (!(await passThrottle(context.throttleLogin, request, reply))) return reply
          const body = request.body as { response: unknown; device_token?: string }
          const deviceToken = body.device_token ?? viaCookies?.deviceToken(request)
          const login = await passkeys.login(body.response, requestContext(request), {
            deviceToken,
          })
          return pairBodies(context).login(reply, viaCookies, login)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/passkeys/',
    {
      GET: {
        options: {
          preHandler: signedIn,
          schema: {
            summary: 'My passkeys, oldest first',
            tags: ['passkeys'],
            response: { 200: { type: 'array', items: passkeySchema } },
          },
        },
        handler: async (request) => (await passkeys.list(currentUser(request).id)).map(passkeyBody),
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/passkeys/:id/',
    {
      PATCH: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Rename one of my passkeys',
            tags: ['passkeys'],
            body: {
              type: 'object',
              properties: { name: nameField },
              required: ['name'],
              additionalProperties: false,
            },
            response: { 200: passkeySchema },
          },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          const { id } = request.params as { id: string }
          const { name } = request.body as { name: string }
          if (!(await passkeys.rename(user.id, id, name, requestContext(request)))) {
            return sendError(reply, 'not_found', challenge)
          }
          const passkey = await auth.stores.passkeys.findPasskey(id)
          if (passkey === undefined) return sendError(reply, 'not_found', challenge)
          return passkeyBody(passkey)
        },
      },
      DELETE: {
        options: {
          preHandler: signedIn,
          schema: { summary: 'Delete one of my passkeys', tags: ['passkeys'] },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          const { id } = request.params as { id: string }
          // Someone else's passkey is "not found", like a session.
          if (!(await passkeys.delete(user.id, id, requestContext(request)))) {
            return sendError(reply, 'not_found', challenge)
          }
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/passkeys/',
    {
      GET: {
        options: {
          preHandler: guard(isAdminUser),
          schema: {
            summary: "Staff: a user's passkeys, oldest first",
            tags: ['admin', 'passkeys'],
            response: { 200: { type: 'array', items: passkeySchema } },
          },
        },
        handler: async (request, reply) => {
          await auth.requireStaffMfa(currentUser(request))
          const { id } = request.params as { id: string }
          const target = /^[0-9]{1,19}$/.test(id)
            ? await auth.stores.users.findUserById(id)
            : undefined
          if (target === undefined) return sendError(reply, 'not_found', challenge)
          return (await passkeys.list(target.id)).map(passkeyBody)
        },
      },
    },
    challenge,
  )
}
