export {
  type Permission,
  type PermissionContext,
  type RequestUser,
  SAFE_METHODS,
} from './permission.js'
export {
  allowAny,
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
