import { allowsObject, type Permission, type PermissionContext } from '@tessera/core'
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { sendError } from './drf-responses.js'

/** Builds the context a permission sees for this request. */
export function permissionContext(request: FastifyRequest): PermissionContext {
  let granted: Promise<ReadonlySet<string>> | undefined
  const user = request.user
  return {
    method: request.method,
    user,
    permissions() {
      if (!user.isAuthenticated) return Promise.resolve(new Set<string>())
      // A claims user (resource server): its permissions claim; there is no store to ask.
      if (user.record === undefined) return Promise.resolve(user.permissions)
      granted ??= request.server.tessera.stores.permissions
        .listUserPermissions(user.id)
        .then((list) => new Set(list))
      return granted
    },
  }
}

/**
 * Answers a refusal with DRF's rule: anonymous senders get 401 "Authentication credentials
 * were not provided." (with the challenge), authenticated ones 403.
 */
export function sendDenied(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const challenge = challengeOf(request.server)
  return request.user.isAuthenticated
    ? sendError(reply, 'permission_denied', challenge)
    : sendError(reply, 'not_authenticated', challenge)
}

/**
 * A `preHandler` that lets the request through only if `permission` allows it (DRF's
 * `permission_classes`). Authentication already ran in `onRequest`. A permission that answers
 * synchronously (`isAuthenticated`, `isAdminUser`...) costs no promise: it runs on every
 * protected request.
 *
 * @example
 * app.get('/articles', { preHandler: guard(isAuthenticatedOrReadOnly) }, listArticles)
 */
export function guard(permission: Permission): preHandlerHookHandler {
  return function checkPermission(request, reply, done) {
    const allowed = permission.check(permissionContext(request))
    if (allowed === true) return done()
    if (allowed === false) {
      sendDenied(request, reply)
      return
    }
    allowed.then(
      (yes) => {
        if (yes) done()
        else sendDenied(request, reply)
      },
      (error: unknown) => done(error as Error),
    )
  }
}

/**
 * DRF's `check_object_permissions`: asks `permission` about one object inside a handler. When it
 * refuses, the 401/403 is sent and false returned: the handler should return right away.
 */
export async function checkObjectPermission(
  request: FastifyRequest,
  reply: FastifyReply,
  permission: Permission,
  object: unknown,
): Promise<boolean> {
  const allowed = await allowsObject(permission, permissionContext(request), object)
  if (!allowed) sendDenied(request, reply)
  return allowed
}

/** The challenge of whichever Tessera plugin is registered (full or verify-only). */
function challengeOf(server: FastifyInstance): string {
  return server.hasDecorator('tesseraResource')
    ? server.tesseraResource.challenge
    : server.tessera.challenge
}
