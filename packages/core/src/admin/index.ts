/**
 * `@tessera/core/admin`: what the admin API and the operator CLI build on: the store queries
 * behind user, group, permission, audit and outbox listings, and the admin services.
 */
export { InvalidPageError, NotFoundError, PermissionDeniedError } from '../errors/admin-errors.js'
export { type AdminActor, CLI_ACTOR } from '../services/admin-actor.js'
export type { PermissionHolder } from '../services/admin-groups.js'
export { splitPermissionName } from '../services/admin-groups.js'
export type { AdminService } from '../services/admin-service.js'
export type { AdminUserDetail } from '../services/admin-users.js'
export type { AuditQuery } from '../stores/audit-store.js'
export {
  type GroupDetail,
  GroupNameTakenError,
  type NameQuery,
} from '../stores/permission-store.js'
export type { PageWindow, StorePage } from '../stores/store-page.js'
export {
  USER_ORDER_FIELDS,
  type UserOrderField,
  type UserOrdering,
  type UserQuery,
} from '../stores/user-store.js'
