/**
 * @tessera/fastify: the Tessera Fastify plugin (simplejwt-compatible API routes, `request.user`)
 * and DRF-style guards for your own routes.
 */
export type { TesseraDecoration, TesseraRouteConfig } from './fastify-types.js'
export { checkObjectPermission, guard, permissionContext } from './guard.js'
export type { TesseraPluginOptions, ThrottleRates } from './plugin-options.js'
export { tesseraPlugin } from './tessera-plugin.js'
