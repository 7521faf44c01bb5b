import '../fastify-types.js'
import type { PermissionRecord, UserRecord } from '@tessera/core'
import { type GroupDetail, NotFoundError } from '@tessera/core/admin'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { defineResource } from '../resource.js'
import {
  actorOf,
  adminGuards,
  idParams,
  noContent,
  type PageQuery,
  pageQueryProperties,
  pageSchema,
  pageWindow,
  paginated,
} from './admin-shared.js'
import { adminUserBody, userSchema } from './admin-user-routes.js'
import type { RouteContext } from './route-context.js'

function groupBody(group: GroupDetail): Record<string, unknown> {
  return {
    id: group.id,
    name: group.name,
    permissions: group.permissions,
    member_count: group.memberCount,
  }
}

function permissionBody(permission: PermissionRecord): Record<string, unknown> {
  return {
    id: permission.id,
    app_label: permission.appLabel,
    codename: permission.codename,
    name: permission.name,
  }
}

const groupSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    permissions: { type: 'array', items: { type: 'string' } },
    member_count: { type: 'integer' },
  },
  required: ['id', 'name', 'permissions', 'member_count'],
} as const

const permissionSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    app_label: { type: 'string' },
    codename: { type: 'string' },
    name: { type: 'string' },
  },
  required: ['id', 'app_label', 'codename', 'name'],
} as const

const searchQuery = {
  type: 'object',
  properties: { search: { type: 'string' }, ...pageQueryProperties },
} as const

const nameBody = {
  type: 'object',
  properties: { name: { type: 'string' } },
  required: ['name'],
} as const

const groupPermissionParams = {
  type: 'object',
  properties: { id: { type: 'string' }, permission: { type: 'string' } },
  required: ['id', 'permission'],
} as const

function body(request: FastifyRequest): Readonly<Record<string, unknown>> {
  return (request.body ?? {}) as Record<string, unknown>
}

/** `/admin/groups/...` and `/admin/permissions/`: Django's auth groups and permissions. */
export function registerAdminGroupRoutes(app: FastifyInstance, context: RouteContext): void {
  const { auth, challenge } = context
  const staffMfa = (user: UserRecord) => auth.requireStaffMfa(user)
  const read = adminGuards(staffMfa)
  const tags = ['admin', 'groups']

  async function group(request: FastifyRequest): Promise<GroupDetail> {
    const { id } = request.params as { id: string }
    const found = await auth.stores.permissions.findGroup(id)
    if (found === undefined) throw new NotFoundError('group')
    return found
  }

  defineResource(
    app,
    '/admin/groups/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: groups by name, with permissions and member counts',
            tags,
            querystring: searchQuery,
            response: { 200: pageSchema(groupSchema) },
          },
        },
        handler: async (request) => {
          const query = request.query as PageQuery & { search?: string }
          const window = pageWindow(query)
          const search = query.search?.trim()
          const page = await auth.stores.permissions.listGroups({
            ...(search ? { search } : {}),
            offset: window.offset,
            limit: window.limit,
          })
          return paginated(request, window, page, groupBody)
        },
      },
      POST: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.add_group'),
          schema: {
            summary: 'Create a group',
            tags,
            body: nameBody,
            response: { 201: groupSchema },
          },
        },
        handler: async (request, reply) => {
          const created = await auth.admin.createGroup(actorOf(request), body(request))
          return reply.code(201).send({ ...created, permissions: [], member_count: 0 })
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/groups/:id/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: one group',
            tags,
            params: idParams,
            response: { 200: groupSchema },
          },
        },
        handler: async (request) => groupBody(await group(request)),
      },
      PATCH: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.change_group'),
          schema: {
            summary: 'Rename a group',
            tags,
            params: idParams,
            body: nameBody,
            response: { 200: groupSchema },
          },
        },
        handler: async (request) => {
          const { id } = request.params as { id: string }
          await auth.admin.renameGroup(actorOf(request), id, body(request))
          return groupBody(await group(request))
        },
      },
      DELETE: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.delete_group'),
          schema: {
            summary: 'Delete a group (its memberships and grants go with it)',
            tags,
            params: idParams,
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id } = request.params as { id: string }
          await auth.admin.deleteGroup(actorOf(request), id)
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/groups/:id/members/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: "Staff: a group's members, by username",
            tags,
            params: idParams,
            querystring: { type: 'object', properties: pageQueryProperties },
            response: { 200: pageSchema(userSchema) },
          },
        },
        handler: async (request) => {
          const found = await group(request)
          const window = pageWindow(request.query as PageQuery)
          const page = await auth.stores.users.searchUsers({
            groupId: found.id,
            ordering: 'username',
            offset: window.offset,
            limit: window.limit,
          })
          return paginated(request, window, page, adminUserBody)
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/groups/:id/permissions/:permission/',
    {
      PUT: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.change_group'),
          schema: {
            summary: 'Grant a group a permission `app_label.codename` (idempotent)',
            tags: ['admin', 'groups', 'permissions'],
            params: groupPermissionParams,
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id, permission } = request.params as { id: string; permission: string }
          await auth.admin.setPermission(actorOf(request), { kind: 'group', id }, permission, true)
          return reply.code(204).send()
        },
      },
      DELETE: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.change_group'),
          schema: {
            summary: "Revoke a group's permission (idempotent)",
            tags: ['admin', 'groups', 'permissions'],
            params: groupPermissionParams,
            response: noContent,
          },
        },
        handler: async (request, reply) => {
          const { id, permission } = request.params as { id: string; permission: string }
          await auth.admin.setPermission(actorOf(request), { kind: 'group', id }, permission, false)
          return reply.code(204).send()
        },
      },
    },
    challenge,
  )

  defineResource(
    app,
    '/admin/permissions/',
    {
      GET: {
        options: {
          preValidation: read,
          schema: {
            summary: 'Staff: permissions by app label and codename',
            tags: ['admin', 'permissions'],
            querystring: searchQuery,
            response: { 200: pageSchema(permissionSchema) },
          },
        },
        handler: async (request) => {
          const query = request.query as PageQuery & { search?: string }
          const window = pageWindow(query)
          const search = query.search?.trim()
          const page = await auth.stores.permissions.listPermissions({
            ...(search ? { search } : {}),
            offset: window.offset,
            limit: window.limit,
          })
          return paginated(request, window, page, permissionBody)
        },
      },
      POST: {
        options: {
          preValidation: adminGuards(staffMfa, 'auth.add_permission'),
          schema: {
            summary: 'Create a permission',
            tags: ['admin', 'permissions'],
            body: {
              type: 'object',
              properties: {
                app_label: { type: 'string' },
                codename: { type: 'string' },
                name: { type: 'string' },
              },
              required: ['app_label', 'codename', 'name'],
            },
            response: { 201: permissionSchema },
          },
        },
        handler: async (request, reply) => {
          const created = await auth.admin.createPermission(actorOf(request), body(request))
          return reply.code(201).send(permissionBody(created))
        },
      },
    },
    challenge,
  )
}
