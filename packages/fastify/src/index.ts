/**
 * @tessera/fastify: the Tessera Fastify plugin (simplejwt-compatible API routes, `request.user`),
 * the verify-only plugin for resource servers, and DRF-style guards for your own routes.
 */

export { CSRF_HEADER } from './browser/csrf-check.js'
export { type CookieNames, cookieNames } from './browser/token-cookies.js'
export type { TokenTransportMode, TokenTransportOptions } from './browser/transport-options.js'
export { createErrorHandler, handleFrameworkError } from './error-handler.js'
export type {
  TesseraDecoration,
  TesseraResourceDecoration,
  TesseraRouteConfig,
} from './fastify-types.js'
export { checkObjectPermission, guard, permissionContext } from './guard.js'
export { type JwksRouteOptions, registerJwksRoute } from './jwks-route.js'
export type {
  AdminKeyRing,
  DjoserRouteOptions,
  TesseraPluginOptions,
  ThrottleRates,
} from './plugin-options.js'
export {
  type TesseraResourceServerOptions,
  tesseraResourceServer,
} from './resource-server-plugin.js'
export { tesseraPlugin } from './tessera-plugin.js'
