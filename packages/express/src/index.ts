/**
 * @tessera/express: Express 4 and 5 middleware for resource servers that verify Tessera access
 * tokens locally (`req.user` from claims) and DRF-style guards with the core permissions.
 */
export type { Middleware, NextFunction, TesseraRequest } from './express-types.js'
export { checkObjectPermission, guard, permissionContext, requirePermission } from './guard.js'
export { type TesseraResourceMiddleware, tesseraResourceServer } from './resource-server.js'
