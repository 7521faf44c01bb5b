import '../fastify-types.js'
import {
  isAuthenticated,
  type TrustedDeviceRecord,
  type UserRecord,
  ValidationError,
} from '@tessera/core'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { sendError } from '../drf-responses.js'
import { passwordField, requiredString } from '../drf-validation.js'
import { guard } from '../guard.js'
import { defineResource } from '../resource.js'
import { publicKeyCredentialSchema } from './passkey-routes.js'
import {
  AUTH_BODY_LIMIT,
  PUBLIC_VIEW,
  passThrottle,
  type RouteContext,
  requestContext,
  sendThrottled,
} from './route-context.js'
import { pairBodies } from './token-bodies.js'
import { pairResponseSchema } from './token-routes.js'
import { cookiesFor } from './token-transport.js'

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()

/** A code as typed: six digits, spaces allowed; longer text is refused by the schema. */
const codeField = { type: 'string', minLength: 1, maxLength: 16 } as const
const recoveryCodeField = { type: 'string', minLength: 1, maxLength: 64 } as const

const recoveryCodesBody = {
  type: 'object',
  properties: { recovery_codes: { type: 'array', items: { type: 'string' } } },
  required: ['recovery_codes'],
} as const

/** Password plus a second factor: disable and new recovery codes. */
const passwordAndFactor = {
  type: 'object',
  properties: { password: passwordField, code: codeField, recovery_code: recoveryCodeField },
  required: ['password'],
  additionalProperties: false,
} as const

function currentUser(request: FastifyRequest): UserRecord {
  const { user } = request
  if (!user.isAuthenticated || user.record === undefined)
    throw new Error('guarded route reached without a user')
  return user.record
}

/** Exactly one of `code` and `recovery_code` (and, at login, `passkey`), as DRF field errors. */
function oneFactor(body: { code?: string; recovery_code?: string; passkey?: unknown }): {
  code?: string
  recoveryCode?: string
  passkey?: unknown
} {
  const given = [body.code, body.recovery_code, body.passkey].filter((f) => f !== undefined)
  if (given.length === 0) throw new ValidationError({ code: ['This field is required.'] })
  if (given.length > 1) {
    throw new ValidationError({
      non_field_errors: [
        body.passkey === undefined
          ? 'Give either code or recovery_code, not both.'
          : 'Give one of code, recovery_code and passkey.',
      ],
    })
  }
  if (body.passkey !== undefined) return { passkey: body.passkey }
  return body.code !== undefined ? { code: body.code } : { recoveryCode: body.recovery_code }
}

/** A trusted device as `/api/mfa/devices/` and the admin API list it. */
export function deviceBody(device: TrustedDeviceRecord): Record<string, unknown> {
  return {
    id: device.id,
    device: device.device,
    ip: device.ip,
    created_at: iso(device.createdAt),
    expires_at: iso(device.expiresAt),
  }
}

/**
 * Second factors: the code step of a login (`/token/mfa/`), TOTP enrolment, recovery codes,
 * and trusted devices (the staff reset is an admin route: admin-user-routes.ts).
 */
export function registerMfaRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const signedIn = guard(isAuthenticated)

  defineResource(
    app,
    '/token/mfa/',
    {
      POST: {
        options: {
          config: PUBLIC_VIEW,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'The second step of a login: a TOTP code, a recovery code or a passkey',
            description:
              'Takes the `mfa_token` of the 401 `mfa_required` answer of `POST /token/` (whose ' +
              "`methods` lists the user's factors) and one of `code` (six digits), " +
              '`recovery_code` or `passkey` (the answer of navigator.credentials.get() to the ' +
              'options of `POST /passkeys/login/options/` with this `mfa_token`). Answers the ' +
              'login pair; with ' +
              '`remember_device: true` also a `device_token` that later logins send to skip ' +
              'this step. Every wrong code gets 401 `{"detail": "Invalid authentication code.", ' +
              '"code": "mfa_code_invalid"}`; a spent or expired `mfa_token` a `token_not_valid` ' +
              'error. Throttled per mfa_token and per account before any check.',
            tags: ['tokens', 'mfa'],
            body: {
              type: 'object',
              properties: {
                mfa_token: requiredString,
                code: codeField,
                recovery_code: recoveryCodeField,
                passkey: publicKeyCredentialSchema,
                remember_device: { type: 'boolean' },
              },
              required: ['mfa_token'],
              additionalProperties: false,
            },
            response: { 200: pairResponseSchema(context.cookies) },
          },
        },
        handler: async (request, reply) => {
          const viaCookies = cookiesFor(context.cookies, request, reply)
          if (viaCookies === null) return reply
          const body = request.body as {
            mfa_token: string
            code?: string
            recovery_code?: string
            passkey?: unknown
            remember_device?: boolean
          }
          const factor = oneFactor(body)
          // The token's signature and expiry only: it names the buckets to charge.
          const verified = auth.verifyMfaToken(body.mfa_token)
          const decision = await context.throttleMfa(request, {
            userId: verified.userId as string,
            tokenId: verified.jti,
          })
          if (!sendThrottled(reply, decision)) return reply
          const login = await auth.completeMfaLogin(
            verified,
            { ...factor, rememberDevice: body.remember_device === true },
            requestContext(request),
          )
          return pairBodies(context).login(reply, viaCookies, login)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/mfa/',
    {
      GET: {
        options: {
          preHandler: signedIn,
          schema: {
            summary: 'My second factors: enabled, pending setup, recovery codes left',
            tags: ['mfa'],
          },
        },
        handler: async (request) => {
          const status = await auth.mfaStatus(currentUser(request))
          return {
            enabled: status.enabled,
            pending: status.pending,
            recovery_codes_left: status.recoveryCodesLeft,
          }
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/mfa/totp/setup/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Start a TOTP enrolment: a new secret, its otpauth:// URI and QR code (SVG)',
            tags: ['mfa'],
            body: {
              type: 'object',
              properties: { password: passwordField },
              required: ['password'],
              additionalProperties: false,
            },
            response: {
              200: {
                type: 'object',
                properties: {
                  secret: { type: 'string' },
                  otpauth_uri: { type: 'string' },
                  qr_svg: { type: 'string' },
                },
                required: ['secret', 'otpauth_uri', 'qr_svg'],
              },
            },
          },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          // The password costs a hash: throttled like a login of this username.
          if (!(await passThrottle(context.throttleLogin, request, reply, user.username)))
            return reply
          const { password } = request.body as { password: string }
          const setup = await auth.setupTotp(user, password)
          return { secret: setup.secret, otpauth_uri: setup.uri, qr_svg: setup.qrSvg }
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/mfa/totp/confirm/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Turn TOTP on with a first code; answers the recovery codes, shown once',
            tags: ['mfa'],
            body: {
              type: 'object',
              properties: { code: { ...codeField } },
              required: ['code'],
              additionalProperties: false,
            },
            response: { 200: recoveryCodesBody },
          },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          if (!sendThrottled(reply, await context.throttleMfa(request, { userId: user.id })))
            return reply
          const { code } = request.body as { code: string }
          return { recovery_codes: await auth.confirmTotp(user, code, requestContext(request)) }
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/mfa/totp/disable/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Turn TOTP off (password and a code); trusted devices are forgotten',
            tags: ['mfa'],
            body: passwordAndFactor,
          },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          const body = request.body as { password: string; code?: string; recovery_code?: string }
          const factor = oneFactor(body)
          if (!(await passThrottle(context.throttleLogin, request, reply, user.username)))
            return reply
          if (!sendThrottled(reply, await context.throttleMfa(request, { userId: user.id })))
            return reply
          await auth.disableTotp(user, body.password, factor, requestContext(request))
          return {}
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/mfa/recovery-codes/',
    {
      POST: {
        options: {
          preHandler: signedIn,
          bodyLimit: AUTH_BODY_LIMIT,
          schema: {
            summary: 'Replace my recovery codes (password and a code); answers the new ones',
            tags: ['mfa'],
            body: passwordAndFactor,
            response: { 200: recoveryCodesBody },
          },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          const body = request.body as { password: string; code?: string; recovery_code?: string }
          const factor = oneFactor(body)
          if (!(await passThrottle(context.throttleLogin, request, reply, user.username)))
            return reply
          if (!sendThrottled(reply, await context.throttleMfa(request, { userId: user.id })))
            return reply
          const codes = await auth.regenerateRecoveryCodes(
            user,
            body.password,
            factor,
            requestContext(request),
          )
          return { recovery_codes: codes }
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/mfa/devices/',
    {
      GET: {
        options: {
          preHandler: signedIn,
          schema: {
            summary: 'Devices that skip the second factor (remember_device), newest first',
            tags: ['mfa', 'sessions'],
          },
        },
        handler: async (request) => {
          const user = currentUser(request)
          return (await auth.listTrustedDevices(user.id)).map(deviceBody)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/mfa/devices/:id/',
    {
      DELETE: {
        options: {
          preHandler: signedIn,
          schema: { summary: 'Stop trusting one of my devices', tags: ['mfa', 'sessions'] },
        },
        handler: async (request, reply) => {
          const user = currentUser(request)
          const { id } = request.params as { id: string }
          // Someone else's device is "not found", like a session.
          if (!(await auth.revokeTrustedDevice(user.id, id, requestContext(request)))) {
            return sendError(reply, 'not_found', challenge)
          }
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )
}
