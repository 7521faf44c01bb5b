export { type AuthorizationCredentials, readAuthorizationHeader } from './authorization-header.js'
export { type Authentication, BearerAuthenticator } from './bearer-authenticator.js'
export { UserCache, type UserCacheOptions } from './user-cache.js'
