export {
  type AnonymousUser,
  type AuthenticatedUser,
  type ClaimsUser,
  type Permission,
  type PermissionContext,
  type RequestUser,
  SAFE_METHODS,
  type StoredUser,
} from './permission.js'
export {
  allowAny,
  allowsObject,
  and,
  hasPermissions,
  isAdminUser,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  modelPermissions,
  not,
  objectPermission,
  or,
} from './permissions.js'
