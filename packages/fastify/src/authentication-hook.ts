import type { BearerAuthenticator, RequestUser, TesseraSettings, UserCache } from '@tessera/core'
import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify'
import type { CookieTransport } from './browser/cookie-transport.js'
import { isUnsafeMethod } from './browser/csrf-check.js'
import { sendAuthenticationFailure, sendError } from './drf-responses.js'
import { prepareRequest } from './route-preamble.js'

/**
 * DRF authenticates before permissions: a bad token is a 401 even on a public route. Synchronous
 * when the user is cached (the common case): no await, no allocation beyond the principal.
 * In cookie mode a request without an `Authorization` header is authenticated by its access
 * cookie, and when unsafe it must pass the CSRF check first (as DRF's SessionAuthentication).
 */
export function createAuthenticationHook(
  authenticator: BearerAuthenticator,
  users: UserCache,
  settings: TesseraSettings,
  challenge: string,
  cookies?: CookieTransport,
): onRequestHookHandler {
  const checkActive = settings.CHECK_USER_IS_ACTIVE
  const finish = (
    request: FastifyRequest,
    reply: FastifyReply,
    done: (error?: Error) => void,
    id: string,
    token: Extract<RequestUser, { isAuthenticated: true }>['token'],
    record: Parameters<UserCache['set']>[1] | null,
  ): void => {
    if (record === undefined || record === null) {
      sendError(reply, 'user_not_found', challenge)
      return
    }
    if (checkActive && !record.isActive) {
      sendError(reply, 'user_inactive', challenge)
      return
    }
    request.user = { isAuthenticated: true, id, token, record }
    done()
  }
  return function authenticate(request, reply, done) {
    if (!prepareRequest(request, reply)) {
      done()
      return
    }
    let result = authenticator.authenticate(request.headers.authorization)
    if (result.status === 'anonymous' && cookies !== undefined) {
      const token = cookies.accessToken(request)
      if (token !== undefined) {
        if (isUnsafeMethod(request.method) && !cookies.passCsrf(request, reply)) return
        result = authenticator.authenticateToken(token)
      }
    }
    if (result.status === 'anonymous') {
      done()
      return
    }
    if (result.status === 'failed') {
      sendAuthenticationFailure(reply, result.code, challenge)
      return
    }
    const cached = users.peek(result.userId)
    if (cached !== undefined) {
      finish(request, reply, done, result.userId, result.token, cached)
      return
    }
    users.load(result.userId).then(
      (record) => finish(request, reply, done, result.userId, result.token, record),
      (error: unknown) => done(error as Error),
    )
  }
}
