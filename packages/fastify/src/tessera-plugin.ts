import fastifyCookie from '@fastify/cookie'
import { BearerAuthenticator, UserCache } from '@tessera/core'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { apiRoutes, djoserApiRoutes } from './api-routes.js'
import { createAuthenticationHook } from './authentication-hook.js'
import { CookieTransport } from './browser/cookie-transport.js'
import type { TokenTransportOptions } from './browser/transport-options.js'
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

  const prefix = options.prefix ?? '/api'
  const cookies = await openCookieTransport(app, options.transport, prefix)

  app.decorate('tessera', { auth, stores, users, authenticator, challenge, cookies })
  app.decorateRequest('user', null as never)
  app.addHook(
    'onRequest',
    createAuthenticationHook(authenticator, users, settings, challenge, cookies),
  )

  if (options.routes === false) return
  const throttles = createThrottleChecks(options)
  await app.register(apiRoutes, {
    prefix,
    auth,
    settings,
    options,
    challenge,
    cookies,
    ...throttles,
  } as never)
  if (options.djoser !== undefined && options.djoser !== false) {
    // No cookies here: djoser's /jwt/ views answer simplejwt's bodies, as djoser frontends expect.
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

/** Cookie mode's transport, with `@fastify/cookie` parsing first; undefined in body mode. */
async function openCookieTransport(
  app: FastifyInstance,
  transport: TokenTransportOptions | undefined,
  prefix: string,
): Promise<CookieTransport | undefined> {
  if (transport === undefined || transport.mode === 'body') return undefined
  // Its onRequest hook must parse the cookies before the authentication hook reads them.
  if (!app.hasRequestDecorator('cookies')) await app.register(fastifyCookie)
  // The refresh cookie goes only to the token views: refresh and logout read it.
  return new CookieTransport({ ...transport, mode: transport.mode }, `${prefix}/token/`)
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
