import type { IncomingMessage, ServerResponse } from 'node:http'
import {
  allowsObject,
  and,
  bearerChallenge,
  errorResponse,
  type Permission,
  type PermissionContext,
  type RequestUser,
} from '@tessera/core'
import type { Middleware, TesseraRequest } from './express-types.js'
import { requestContext } from './resource-server.js'
import { sendResponse } from './responses.js'

const NO_PERMISSIONS: ReadonlySet<string> = new Set()
const ANONYMOUS: RequestUser = Object.freeze({ isAuthenticated: false })

/**
 * The context a permission sees for `request`: a claims user's permissions are its configured
 * permissions claim; there is no store to ask on a resource server.
 */
export function permissionContext(request: IncomingMessage): PermissionContext {
  const user = (request as TesseraRequest).user ?? ANONYMOUS
  const granted =
    user.isAuthenticated && user.record === undefined ? user.permissions : NO_PERMISSIONS
  return {
    method: request.method ?? 'GET',
    user,
    permissions: () => Promise.resolve(granted),
  }
}

/** DRF's refusal: anonymous senders get 401 (with the challenge), authenticated ones 403. */
export function sendDenied(request: IncomingMessage, response: ServerResponse): void {
  const challenge = requestContext(request)?.challenge ?? bearerChallenge('Bearer')
  const user = (request as TesseraRequest).user
  sendResponse(
    response,
    errorResponse(user?.isAuthenticated === true ? 'permission_denied' : 'not_authenticated', {
      challenge,
    }),
  )
}

/**
 * Middleware that lets the request through only if every one of `permissions` allows it (DRF's
 * `permission_classes`), answering the Fastify guard's 401/403 bodies otherwise. Mount
 * `tesseraResourceServer` first.
 *
 * @example
 * app.delete('/articles/:id', requirePermission(isAuthenticated, hasPermissions('blog.delete_post')), remove)
 */
export function requirePermission(...permissions: Permission[]): Middleware {
  if (permissions.length === 0)
    throw new TypeError('requirePermission: name at least one permission')
  const permission = permissions.length === 1 ? (permissions[0] as Permission) : and(...permissions)
  return (request, response, next) => {
    if (requestContext(request) === undefined) {
      next(new Error('requirePermission: mount tesseraResourceServer() before the guards'))
      return
    }
    let allowed: boolean | Promise<boolean>
    try {
      allowed = permission.check(permissionContext(request))
    } catch (error) {
      next(error)
      return
    }
    const decide = (yes: boolean) => (yes ? next() : sendDenied(request, response))
    if (typeof allowed === 'boolean') decide(allowed)
    else allowed.then(decide, next)
  }
}

/** {@link requirePermission} under the Fastify package's name. */
export const guard: (...permissions: Permission[]) => Middleware = requirePermission

/**
 * DRF's `check_object_permissions` inside a handler: when `permission` refuses `object`, the
 * 401/403 is sent and false returned (return from the handler right away).
 */
export async function checkObjectPermission(
  request: IncomingMessage,
  response: ServerResponse,
  permission: Permission,
  object: unknown,
): Promise<boolean> {
  const allowed = await allowsObject(permission, permissionContext(request), object)
  if (!allowed) sendDenied(request, response)
  return allowed
}
