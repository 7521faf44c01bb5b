import '../fastify-types.js'
import {
  hasPermissions,
  isAdminUser,
  type Permission,
  type UserRecord,
  ValidationError,
} from '@tessera/core'
import { type AdminActor, InvalidPageError, type PageWindow } from '@tessera/core/admin'
import type { FastifyRequest, preHandlerHookHandler, preValidationHookHandler } from 'fastify'
import { guard } from '../guard.js'

/** DRF's PageNumberPagination settings of the admin API. */
export const DEFAULT_PAGE_SIZE = 25
export const MAX_PAGE_SIZE = 100

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()
/** An epoch-seconds time as ISO 8601, or null. */
export const isoOrNull = (seconds: number | null) => (seconds === null ? null : iso(seconds))
export { iso }

/** The signed-in staff member of a guarded admin route. */
export function adminUser(request: FastifyRequest): UserRecord {
  const { user } = request
  if (!user.isAuthenticated || user.record === undefined)
    throw new Error('guarded admin route reached without a stored user')
  return user.record
}

/** The actor of an admin change: the signed-in staff member and the client IP. */
export function actorOf(request: FastifyRequest): AdminActor {
  const user = adminUser(request)
  return { id: user.id, isSuperuser: user.isSuperuser && user.isActive, ip: request.ip }
}

/** Who ended sessions or reset a second factor, as the session and MFA services record it. */
export function staffActing(request: FastifyRequest): {
  readonly by: 'admin'
  readonly actorId: string
  readonly ip: string
} {
  return { by: 'admin', actorId: adminUser(request).id, ip: request.ip }
}

/** A `guard` as a `preValidation` hook: both stages take the same (request, reply, done). */
function earlyGuard(permission: Permission): preValidationHookHandler {
  return guard(permission) as preHandlerHookHandler as unknown as preValidationHookHandler
}

/**
 * The `preValidation` hooks of an admin route (before the body is validated: DRF checks
 * permissions before it reads `request.data`, so an anonymous sender gets 401, never a 400
 * about the body): staff only (DRF's IsAdminUser: anonymous 401, others 403),
 * `MFA_REQUIRED_FOR_STAFF` for staff without a second factor, then, for changes, the model
 * permission (`auth.change_user`...), which superusers hold implicitly as in Django.
 */
export function adminGuards(
  requireStaffMfa: (user: UserRecord) => Promise<void>,
  permission?: string,
): preValidationHookHandler[] {
  const staffMfa: preValidationHookHandler = async (request) => {
    await requireStaffMfa(adminUser(request))
  }
  return [
    earlyGuard(isAdminUser),
    staffMfa,
    ...(permission === undefined ? [] : [earlyGuard(hasPermissions(permission))]),
  ]
}

/** The querystring members of a paginated listing. */
export interface PageQuery {
  readonly page?: string
  readonly page_size?: string
}

/**
 * The window of `?page=&page_size=` (DRF's PageNumberPagination): `page_size` defaults to 25
 * and is capped at 100 (a bad value falls back to the default, as DRF's); a `page` that is not
 * a positive integer is DRF's 404 "Invalid page.", like one past the last page
 * ({@link paginated}).
 */
export function pageWindow(query: PageQuery): PageWindow & { page: number; pageSize: number } {
  const size = /^[0-9]{1,6}$/.test(query.page_size ?? '') ? Number(query.page_size) : 0
  const pageSize = size >= 1 ? Math.min(size, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE
  const raw = query.page ?? '1'
  if (!/^[0-9]{1,9}$/.test(raw) || Number(raw) < 1) throw new InvalidPageError()
  const page = Number(raw)
  return { page, pageSize, offset: (page - 1) * pageSize, limit: pageSize }
}

/**
 * DRF's paginated body `{count, next, previous, results}`, with absolute links to the
 * neighbouring pages; a page past the last is 404 "Invalid page." (the first page of an empty
 * listing is an empty page, as DRF's `allow_empty_first_page`).
 */
export function paginated<T>(
  request: FastifyRequest,
  window: { page: number; pageSize: number },
  page: { count: number; items: T[] },
  body: (item: T) => unknown,
): Record<string, unknown> {
  const pages = Math.max(1, Math.ceil(page.count / window.pageSize))
  if (window.page > pages) throw new InvalidPageError()
  const link = (number: number) => {
    const url = new URL(request.url, `${request.protocol}://${request.host}`)
    // DRF drops `page` for the first page.
    if (number === 1) url.searchParams.delete('page')
    else url.searchParams.set('page', String(number))
    return url.toString()
  }
  return {
    count: page.count,
    next: window.page < pages ? link(window.page + 1) : null,
    previous: window.page > 1 ? link(window.page - 1) : null,
    results: page.items.map(body),
  }
}

/** Reads an optional `true`/`false` filter (django-filter's BooleanFilter words). */
export function booleanFilter(
  query: Readonly<Record<string, string | undefined>>,
  name: string,
  errors: Record<string, string[]>,
): boolean | undefined {
  const value = query[name]
  if (value === undefined || value === '') return undefined
  if (value === 'true' || value === 'True' || value === '1') return true
  if (value === 'false' || value === 'False' || value === '0') return false
  errors[name] = ['Select a valid choice. That choice is not one of the available choices.']
  return undefined
}

/** Throws the collected filter errors as DRF's 400. */
export function throwFieldErrors(errors: Record<string, string[]>): void {
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
}

/** The query members of a paginated listing, for OpenAPI and the validator. */
export const pageQueryProperties = {
  page: { type: 'string', description: 'Page number, from 1 (default 1)' },
  page_size: {
    type: 'string',
    description: `Items per page (default ${DEFAULT_PAGE_SIZE}, at most ${MAX_PAGE_SIZE})`,
  },
} as const

/** A paginated response schema around `item`. */
export function pageSchema(item: object) {
  return {
    type: 'object',
    properties: {
      count: { type: 'integer' },
      next: { type: ['string', 'null'] },
      previous: { type: ['string', 'null'] },
      results: { type: 'array', items: item },
    },
    required: ['count', 'next', 'previous', 'results'],
  } as const
}

/** 204 with no body. */
export const noContent = { 204: { type: 'null', description: 'Done (no body).' } } as const

/** An `:id` path parameter. */
export const idParams = {
  type: 'object',
  properties: { id: { type: 'string' } },
  required: ['id'],
} as const
