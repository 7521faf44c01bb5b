import { BearerAuthenticator, UserCache } from '@tessera/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { apiRoutes, djoserApiRoutes } from './api-routes.js'
import { createAuthenticationHook } from './authentication-hook.js'
import { wwwAuthenticate } from './drf-responses.js'
import type { TesseraPluginOptions } from './plugin-options.js'
import { createThrottleChecks } from './throttle-checks.js'
import './fastify-types.js'

async function tessera(app: FastifyInstance, options: TesseraPluginOptions): Promise<void> {
  const { auth, stores, settings } = options
  const challenge = wwwAuthenticate(settings.AUTH_HEADER_TYPES[0] ?? 'Bearer')
  const users = new UserCache(stores.users, { ttlSeconds: options.userCacheTtl ?? 5 })
  // A user changed here or on another instance (the revocation bus) is read again at once.
  auth.onUserChange((id) => users.invalidate(id))
  const authenticator = new BearerAuthenticator(auth.tokens.verifier, settings.AUTH_HEADER_TYPES)

  app.decorate('tessera', { auth, stores, users, authenticator, challenge })
  app.decorateRequest('user', null as never)
  app.addHook('onRequest', createAuthenticationHook(authenticator, users, settings, challenge))

  if (options.routes === false) return
  const throttles = createThrottleChecks(options)
  await app.register(apiRoutes, {
    prefix: options.prefix ?? '/api',
    auth,
    settings,
    options,
    challenge,
    ...throttles,
  } as never)
  if (options.djoser !== undefined && options.djoser !== false) {
    await app.register(djoserApiRoutes, {
      prefix: options.djoser.prefix ?? '/auth',
      auth,
      settings,
      options,
      challenge,
      ...throttles,
    } as never)
  }
}

/**
 * The Tessera Fastify plugin: authenticates every request of the application from its bearer
 * token (`request.user`), exposes `app.tessera`, and mounts the simplejwt-compatible API under
 * `prefix`. Use {@link guard} with the core permissions on your own routes.
 *
 * @example
 * await app.register(tesseraPlugin, { auth, stores, settings })
 * app.get('/articles', { preHandler: guard(isAuthenticated) }, listArticles)
 */
export const tesseraPlugin = fp(tessera, { name: '@tessera/fastify', fastify: '5.x' })
