import { hasPerms, type PermissionSubject } from '../users/permissions.js'
import {
  type AuthenticatedUser,
  type Permission,
  type PermissionContext,
  SAFE_METHODS,
} from './permission.js'

/**
 * What Django's permission checks read: the row on an auth server; on a resource server an
 * active user (its token verified) whose superuser flag comes from a configured claim.
 */
function permissionSubject(user: AuthenticatedUser): PermissionSubject {
  return user.record !== undefined ? user.record : { isActive: true, isSuperuser: user.isSuperuser }
}

/** DRF's AllowAny. */
export const allowAny: Permission = { check: () => true }

/** DRF's IsAuthenticated. */
export const isAuthenticated: Permission = { check: ({ user }) => user.isAuthenticated }

/**
 * DRF's IsAdminUser: an authenticated user with `is_staff` (on a resource server, only when the
 * configured staff claim says so).
 */
export const isAdminUser: Permission = {
  check: ({ user }) =>
    user.isAuthenticated && (user.record !== undefined ? user.record.isStaff : user.isStaff),
}

/** DRF's IsAuthenticatedOrReadOnly: safe methods for everyone, the rest for signed-in users. */
export const isAuthenticatedOrReadOnly: Permission = {
  check: ({ method, user }) => SAFE_METHODS.has(method) || user.isAuthenticated,
}

/**
 * Every one of `permissions` (`app_label.codename`), with Django's `has_perm` semantics. On a
 * resource server the granted set is the configured permissions claim (none: refused).
 */
export function hasPermissions(...permissions: string[]): Permission {
  return {
    async check(context) {
      const { user } = context
      if (!user.isAuthenticated) return false
      return hasPerms(permissionSubject(user), permissions, await context.permissions())
    },
  }
}

// DRF's DjangoModelPermissions.perms_map: reads are free, writes need add/change/delete.
const MODEL_ACTIONS: Readonly<Record<string, string | null>> = {
  GET: null,
  HEAD: null,
  OPTIONS: null,
  POST: 'add',
  PUT: 'change',
  PATCH: 'change',
  DELETE: 'delete',
}

/**
 * DRF's DjangoModelPermissions for `app_label.model`: authenticated users; GET/HEAD/OPTIONS
 * free, POST needs `add_<model>`, PUT/PATCH `change_<model>`, DELETE `delete_<model>`.
 */
export function modelPermissions(appLabel: string, model: string): Permission {
  return {
    async check(context: PermissionContext) {
      const { user, method } = context
      if (!user.isAuthenticated) return false
      const action = MODEL_ACTIONS[method]
      if (action === undefined) return false
      if (action === null) return true
      return hasPerms(
        permissionSubject(user),
        [`${appLabel}.${action}_${model}`],
        await context.permissions(),
      )
    },
  }
}

/** An object-level check: `test(user, object)` decides, after the view-level checks passed. */
export function objectPermission(
  test: (context: PermissionContext, object: unknown) => boolean | Promise<boolean>,
): Permission {
  return { check: () => true, checkObject: test }
}

/** Both must allow (DRF's `&`). */
export function and(...all: Permission[]): Permission {
  return {
    async check(context) {
      for (const permission of all) if (!(await permission.check(context))) return false
      return true
    },
    async checkObject(context, object) {
      for (const permission of all) {
        if (permission.checkObject && !(await permission.checkObject(context, object))) return false
      }
      return true
    },
  }
}

/** Either may allow (DRF's `|`: object checks follow the view checks that passed). */
export function or(...any: Permission[]): Permission {
  return {
    async check(context) {
      for (const permission of any) if (await permission.check(context)) return true
      return false
    },
    async checkObject(context, object) {
      for (const permission of any) {
        if (!(await permission.check(context))) continue
        if (!permission.checkObject || (await permission.checkObject(context, object))) return true
      }
      return false
    },
  }
}

/** Negation (DRF's `~`). */
export function not(permission: Permission): Permission {
  return {
    async check(context) {
      return !(await permission.check(context))
    },
    async checkObject(context, object) {
      return permission.checkObject ? !(await permission.checkObject(context, object)) : true
    },
  }
}

/**
 * DRF's `check_object_permissions` for one object: the permission's `check`, then its
 * `checkObject` (when it has one). The framework guards send the 401/403 when it is false.
 */
export async function allowsObject(
  permission: Permission,
  context: PermissionContext,
  object: unknown,
): Promise<boolean> {
  return (
    (await permission.check(context)) &&
    (permission.checkObject === undefined || (await permission.checkObject(context, object)))
  )
}
