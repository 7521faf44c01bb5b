import '../fastify-types.js'
import type {
  AsymmetricAlgorithm,
  AuditRecord,
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

function auditBody(event: AuditRecord): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    at: iso(event.at),
    user_id: event.userId,
    ip: event.ip,
    data: event.data,
  }
}

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

const auditSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    type: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    user_id: { type: ['string', 'null'] },
    ip: { type: ['string', 'null'] },
    data: { type: 'object', additionalProperties: true },
  },
  required: ['id', 'type', 'at', 'user_id', 'ip', 'data'],
} as const

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

/**
 * A time filter: ISO 8601 (`2026-12-07`, `2026-12-07T10:00:00Z`) or epoch seconds; undefined
 * when absent, a field error when unreadable.
 */
export function parseTimeFilter(
  value: string | undefined,
  name: string,
  errors: Record<string, string[]>,
): number | undefined {
  if (value === undefined || value === '') return undefined
  if (/^-?[0-9]{1,12}(\.[0-9]+)?$/.test(value)) return Number(value)
  const parsed = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)
    ? Date.parse(value)
    : Number.NaN
  if (Number.isNaN(parsed)) {
    errors[name] = [
      'Enter a valid date/time (ISO 8601, e.g. 2026-12-07T10:00:00Z) or epoch seconds.',
    ]
    return undefined
  }
  return parsed / 1000
}

const KEY_ALGORITHMS: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA']
const MAIL_STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed']

/** `/admin/audit/`, `/admin/keys/...`, `/admin/mail/...`. */
export function registerAdminAuditRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const staffMfa = (user: UserRecord) => auth.requireStaffMfa(user)
  const read = adminGuards(staffMfa)
  const keys = context.options.adminKeys

  defineResource(
    app,
    '/admin/audit/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: the audit log, newest first',
            description:
              'Filters: `user` (a user id), `type` (one or more event types, comma-separated), ' +
              '`since` (inclusive) and `until` (exclusive), each ISO 8601 or epoch seconds.',
            tags: ['admin', 'audit'],
            querystring: {
              type: 'object',
              properties: {
                user: { type: 'string' },
                type: { type: 'string' },
                since: { type: 'string' },
                until: { type: 'string' },
                ...pageQueryProperties,
              },
            },
            response: { 200: pageSchema(auditSchema) },
          },
        },
        handler: async (request) => {
          const query = request.query as PageQuery & Record<string, string | undefined>
          const window = pageWindow(query)
          const errors: Record<string, string[]> = {}
          const since = parseTimeFilter(query.since, 'since', errors)
          const until = parseTimeFilter(query.until, 'until', errors)
          throwFieldErrors(errors)
          const types = query.type
            ?.split(',')
            .map((type) => type.trim())
            .filter((type) => type !== '')
          const page = await auth.stores.audit.queryEvents({
            ...(query.user ? { userId: query.user } : {}),
            ...(types === undefined || types.length === 0 ? {} : { types }),
            ...(since === undefined ? {} : { since }),
            ...(until === undefined ? {} : { until }),
            offset: window.offset,
            limit: window.limit,
          })
          return paginated(request, window, page, auditBody)
        },
      },
    },
    challenge,
  )

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
