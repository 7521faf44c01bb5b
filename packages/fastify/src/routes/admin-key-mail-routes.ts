import '../fastify-types.js'
import type {
  AsymmetricAlgorithm,
  KeySummary,
  OutboxMessage,
  OutboxStatus,
  UserRecord,
} from '@tessera/core'
import { NotFoundError } from '@tessera/core/admin'
import type { FastifyInstance } from 'fastify'
import { defineResource } from '../resource.js'
import {
  actorOf,
  adminGuards,
  iso,
  isoOrNull,
  type PageQuery,
  pageQueryProperties,
  pageSchema,
  pageWindow,
  paginated,
  throwFieldErrors,
} from './admin-shared.js'
import type { RouteContext } from './route-context.js'

/** A key as the admin API lists it: dates and state, never key material. */
function keyBody(key: KeySummary): Record<string, unknown> {
  return {
    kid: key.kid,
    alg: key.alg,
    state: key.status,
    created_at: iso(key.createdAt),
    activated_at: isoOrNull(key.activatedAt),
    retired_at: isoOrNull(key.retiredAt),
    verify_until: isoOrNull(key.verifyUntil),
    encrypted: key.encrypted,
  }
}

/** A message of the outbox without its body: the body holds links with live tokens. */
function mailBody(message: OutboxMessage): Record<string, unknown> {
  return {
    id: message.id,
    kind: message.kind,
    to: message.to,
    subject: message.subject,
    status: message.status,
    attempts: message.attempts,
    last_error: message.lastError,
    created_at: iso(message.createdAt),
    sent_at: isoOrNull(message.sentAt),
  }
}

const keySchema = {
  type: 'object',
  properties: {
    kid: { type: 'string' },
    alg: { type: 'string' },
    state: { type: 'string', enum: ['next', 'current', 'retired'] },
    created_at: { type: 'string', format: 'date-time' },
    activated_at: { type: ['string', 'null'], format: 'date-time' },
    retired_at: { type: ['string', 'null'], format: 'date-time' },
    verify_until: { type: ['string', 'null'], format: 'date-time' },
    encrypted: { type: 'boolean' },
  },
  required: ['kid', 'alg', 'state', 'created_at'],
} as const

const mailSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    kind: { type: 'string' },
    to: { type: 'string' },
    subject: { type: 'string' },
    status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
    attempts: { type: 'integer' },
    last_error: { type: ['string', 'null'] },
    created_at: { type: 'string', format: 'date-time' },
    sent_at: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['id', 'to', 'subject', 'status', 'attempts', 'created_at'],
} as const

const KEY_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA']
const MAIL_STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed']

/** `/admin/keys/...` and `/admin/mail/...`: the signing-key ring and the mail outbox. */
export function registerAdminKeyMailRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const staffMfa = (user: UserRecord) => auth.requireStaffMfa(user)
  const read = adminGuards(staffMfa)
  const keys = context.options.adminKeys

  defineResource(
    app,
    '/admin/keys/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: the signing keys (never key material)',
            tags: ['admin', 'keys'],
            response: { 200: { type: 'array', items: keySchema } },
          },
        },
        handler: async () => (keys === undefined ? [] : (await keys.manager.list()).map(keyBody)),
      },
    },
    challenge,
  )

  const changeKeys = adminGuards(staffMfa, 'tessera.change_signingkey')
  const noRing = () =>
    throwFieldErrors({
      non_field_errors: [
        'Signing keys come from SIGNING_KEY (or an HMAC algorithm): there is no key ring to change.',
      ],
    })

  defineResource(
    app,
    '/admin/keys/rotate/',
    {
      POST: {
        options: {
          preValidation: changeKeys,
          schema: {
            summary: 'Rotate: next -> current -> retired, and publish a new next key',
            tags: ['admin', 'keys'],
            description:
              'Optional body `{"alg": "RS256" | "ES256" | "EdDSA"}` for the new next key.',
            response: { 201: keySchema },
          },
        },
        handler: async (request, reply) => {
          if (keys === undefined) return noRing()
          const alg = (request.body as { alg?: unknown } | undefined)?.alg
          if (alg !== undefined && !KEY_ALGORITHMS.includes(alg as AsymmetricAlgorithm)) {
            throwFieldErrors({ alg: [`"${String(alg).slice(0, 20)}" is not a valid choice.`] })
          }
          const result = await auth.admin.rotateKey(
            actorOf(request),
            keys.manager,
            alg as AsymmetricAlgorithm | undefined,
          )
          await keys.changed()
          return reply.code(201).send(keyBody(result.current))
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/keys/:kid/retire/',
    {
      POST: {
        options: {
          preValidation: changeKeys,
          schema: {
            summary: 'Retire a key (it verifies until its tokens have expired)',
            tags: ['admin', 'keys'],
            params: {
              type: 'object',
              properties: { kid: { type: 'string' } },
              required: ['kid'],
            },
            response: { 200: keySchema },
          },
        },
        handler: async (request) => {
          if (keys === undefined) throw new NotFoundError('key')
          const { kid } = request.params as { kid: string }
          const key = await auth.admin.retireKey(actorOf(request), keys.manager, kid)
          await keys.changed()
          return keyBody(key)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/mail/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: the mail outbox, newest first (never the bodies)',
            tags: ['admin', 'mail'],
            querystring: {
              type: 'object',
              properties: { status: { type: 'string' }, ...pageQueryProperties },
            },
            response: { 200: pageSchema(mailSchema) },
          },
        },
        handler: async (request) => {
          const query = request.query as PageQuery & { status?: string }
          const window = pageWindow(query)
          const status = query.status === '' ? undefined : query.status
          if (status !== undefined && !MAIL_STATUSES.includes(status as OutboxStatus)) {
            throwFieldErrors({
              status: [`Select a valid choice: ${MAIL_STATUSES.join(', ')}.`],
            })
          }
          const page = await auth.stores.mail.listPage({
            ...(status === undefined ? {} : { status: status as OutboxStatus }),
            offset: window.offset,
            limit: window.limit,
          })
          return paginated(request, window, page, mailBody)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/mail/:id/retry/',
    {
      POST: {
        options: {
          preValidation: adminGuards(staffMfa, 'tessera.change_mailmessage'),
          schema: {
            summary: 'Put a failed message back in the queue, due now',
            tags: ['admin', 'mail'],
            params: {
              type: 'object',
              properties: { id: { type: 'string' } },
              required: ['id'],
            },
            response: { 200: mailSchema },
          },
        },
        handler: async (request) => {
          const { id } = request.params as { id: string }
          await auth.admin.retryMail(actorOf(request), id)
          const message = await auth.stores.mail.findMessage(id)
          if (message === undefined) throw new NotFoundError('message')
          return mailBody(message)
        },
      },
    },
    challenge,
  )
}
