import type { FastifyInstance } from 'fastify'
import { registerAdminUserAccessRoutes } from './admin-user-access-routes.js'
import { registerAdminUserRoutes } from './admin-user-routes.js'
import type { RouteContext } from './route-context.js'

/**
 * The admin API under `/admin/` (docs/api-contract.md, "Admin API"): staff read, changes need
 * a superuser or the matching Django model permission, every change is audited.
 */
export function registerAdminRoutes(app: FastifyInstance, context: RouteContext): void {
  registerAdminUserRoutes(app, context)
  registerAdminUserAccessRoutes(app, context)
}
