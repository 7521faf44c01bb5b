import '../fastify-types.js'
import type { AuditRecord, UserRecord } from '@tessera/core'
import type { FastifyInstance } from 'fastify'
import { defineResource } from '../resource.js'
import {
  adminGuards,
  iso,
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

/** `/admin/audit/`: the audit log, filtered and paginated, newest first. */
export function registerAdminAuditRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const read = adminGuards((user: UserRecord) => auth.requireStaffMfa(user))

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
}
