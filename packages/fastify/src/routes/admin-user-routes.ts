import '../fastify-types.js'
import type { UserRecord } from '@tessera/core'
import {
  type AdminUserDetail,
  NotFoundError,
  USER_ORDER_FIELDS,
  type UserOrdering,
} from '@tessera/core/admin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { defineResource } from '../resource.js'
import {
  actorOf,
  adminGuards,
  booleanFilter,
  idParams,
  iso,
  isoOrNull,
  noContent,
  type PageQuery,
  pageQueryProperties,
  pageSchema,
  pageWindow,
  paginated,
  staffActing,
  throwFieldErrors,
} from './admin-shared.js'
import { passkeyBody, passkeySchema } from './passkey-routes.js'
import type { RouteContext } from './route-context.js'

/** A user as the admin API shows them: Django's fields, ISO times, profile fields; no hash. */
export function adminUserBody(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    date_joined: iso(user.dateJoined),
    last_login: isoOrNull(user.lastLogin),
    ...user.profile,
  }
}

function detailBody(detail: AdminUserDetail): Record<string, unknown> {
  return {
    ...adminUserBody(detail.user),
    groups: detail.groups,
    user_permissions: detail.userPermissions,
    all_permissions: detail.allPermissions,
    mfa: { totp: detail.mfa.totp, recovery_codes_left: detail.mfa.recoveryCodesLeft },
    passkeys: detail.passkeys.map(passkeyBody),
  }
}

/** The user schema of the API document; profile fields come on top. */
export const userSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    username: { type: 'string' },
    email: { type: 'string' },
    first_name: { type: 'string' },
    last_name: { type: 'string' },
    is_active: { type: 'boolean' },
    is_staff: { type: 'boolean' },
    is_superuser: { type: 'boolean' },
    date_joined: { type: 'string', format: 'date-time' },
    last_login: { type: ['string', 'null'], format: 'date-time' },
  },
  required: ['id', 'username', 'email', 'is_active', 'is_staff', 'is_superuser'],
  additionalProperties: true,
} as const

const detailSchema = {
  ...userSchema,
  properties: {
    ...userSchema.properties,
    groups: {
      type: 'array',
      items: {
        type: 'object',
        properties: { id: { type: 'string' }, name: { type: 'string' } },
      },
    },
    user_permissions: { type: 'array', items: { type: 'string' } },
    all_permissions: { type: 'array', items: { type: 'string' } },
    mfa: {
      type: 'object',
      properties: { totp: { type: 'boolean' }, recovery_codes_left: { type: 'integer' } },
    },
    passkeys: { type: 'array', items: passkeySchema },
  },
} as const

const userFields = {
  username: { type: 'string' },
  email: { type: 'string' },
  first_name: { type: 'string' },
  last_name: { type: 'string' },
  is_active: { type: 'boolean' },
  is_staff: { type: 'boolean' },
  is_superuser: { type: 'boolean' },
} as const

const listQuery = {
  type: 'object',
  properties: {
    search: { type: 'string', description: 'Part of the username, email, first or last name' },
    is_active: { type: 'string', description: 'true or false' },
    is_staff: { type: 'string', description: 'true or false' },
    is_superuser: { type: 'string', description: 'true or false' },
    group: { type: 'string', description: 'Members of this group id only' },
    ordering: {
      type: 'string',
      description: `One of ${USER_ORDER_FIELDS.join(', ')}, each also with a leading - (default id)`,
    },
    ...pageQueryProperties,
  },
} as const

type ListQuery = PageQuery & Record<string, string | undefined>

/** DRF's OrderingFilter: an unknown field is ignored (the default order applies). */
function ordering(value: string | undefined): UserOrdering {
  const field = value?.startsWith('-') ? value.slice(1) : value
  return USER_ORDER_FIELDS.includes(field as never) ? (value as UserOrdering) : 'id'
}

function body(request: FastifyRequest): Readonly<Record<string, unknown>> {
  return (request.body ?? {}) as Record<string, unknown>
}

/** `/admin/users/...`: list, create, read, change, delete users; set a password; reset MFA. */
export function registerAdminUserRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const staffMfa = (user: UserRecord) => auth.requireStaffMfa(user)
  const read = adminGuards(staffMfa)
  const tags = ['admin']

  defineResource(
    app,
    '/admin/users/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: search, filter and page through users',
            tags,
            querystring: listQuery,
            response: { 200: pageSchema(userSchema) },
          },
        },
        handler: async (request) => {
          const query = request.query as ListQuery
          const window = pageWindow(query)
          const errors: Record<string, string[]> = {}
          const isActive = booleanFilter(query, 'is_active', errors)
          const isStaff = booleanFilter(query, 'is_staff', errors)
          const isSuperuser = booleanFilter(query, 'is_superuser', errors)
          const group = query.group === '' ? undefined : query.group
          if (
            group !== undefined &&
            (await auth.stores.permissions.findGroup(group)) === undefined
          ) {
            errors.group = [
              'Select a valid choice. That choice is not one of the available choices.',
            ]
          }
          throwFieldErrors(errors)
          const page = await auth.stores.users.searchUsers({
            ...(query.search === undefined ? {} : { search: query.search.trim() }),
            ...(isActive === undefined ? {} : { isActive }),
            ...(isStaff === undefined ? {} : { isStaff }),
            ...(isSuperuser === undefined ? {} : { isSuperuser }),
            ...(group === undefined ? {} : { groupId: group }),
            ordering: ordering(query.ordering),
            offset: window.offset,
            limit: window.limit,
          })
          return paginated(request, window, page, adminUserBody)
        },
      },
      POST: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.add_user'),
          schema: {
            summary: 'Create a user (no password: an unusable one)',
            description:
              'The registration rules apply to each field and the password validators to ' +
              '`password`. Only a superuser may set `is_staff` or `is_superuser`.',
            tags,
            body: {
              type: 'object',
              properties: { ...userFields, password: { type: 'string' } },
              required: ['username'],
            },
            response: { 201: userSchema },
          },
        },
        handler: async (request, reply) => {
          const user = await auth.admin.createUser(actorOf(request), body(request))
          return reply.code(201).send(adminUserBody(user))
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: a user with groups, permissions and MFA state',
            tags,
            params: idParams,
            response: { 200: detailSchema },
          },
        },
        handler: async (request) => {
          const { id } = request.params as { id: string }
          const detail = await auth.admin.userDetail(id)
          if (detail === undefined) throw new NotFoundError('user')
          return detailBody(detail)
        },
      },
      PATCH: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.change_user'),
          schema: {
            summary: "Change a user's fields (is_active false ends their sessions)",
            description:
              'Deactivating ends every session of the user on every instance: their open ' +
              'session is refused at its next request. Only a superuser may change `is_staff` ' +
              'or `is_superuser`.',
            tags,
            params: idParams,
            body: { type: 'object', properties: userFields },
            response: { 200: detailSchema },
          },
        },
        handler: async (request) => {
          const { id } = request.params as { id: string }
          await auth.admin.updateUser(actorOf(request), id, body(request))
          const detail = await auth.admin.userDetail(id)
          if (detail === undefined) throw new NotFoundError('user')
          return detailBody(detail)
        },
      },
      DELETE: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.delete_user'),
          schema: {
            summary: 'Delete a user (not yourself)',
            tags,
            params: idParams,
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id } = request.params as { id: string }
          await auth.admin.deleteUser(actorOf(request), id)
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/set_password/',
    {
      POST: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.change_user'),
          schema: {
            summary: "Set a user's password (validated); ends their sessions",
            tags,
            params: idParams,
            body: {
              type: 'object',
              properties: { new_password: { type: 'string' } },
              required: ['new_password'],
            },
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id } = request.params as { id: string }
          await auth.admin.setPassword(actorOf(request), id, body(request))
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/users/:id/mfa/reset/',
    {
      POST: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.change_user'),
          schema: {
            summary: "Remove a user's second factors and trusted devices",
            tags: ['admin', 'mfa'],
            params: idParams,
            response: {
              200: {
                type: 'object',
                properties: { had_mfa: { type: 'boolean' } },
                required: ['had_mfa'],
              },
            },
          },
        },
        handler: async (request) => {
          const { id } = request.params as { id: string }
          const target = await auth.stores.users.findUserById(id)
          if (target === undefined) throw new NotFoundError('user')
          const hadMfa = await auth.resetMfa(target.id, staffActing(request))
          return { had_mfa: hadMfa }
        },
      },
    },
    challenge,
  )
}
