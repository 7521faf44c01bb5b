export { AuthService, type AuthServiceOptions } from './auth-service.js'
export type { LoginOptions, LoginResult } from './login.js'
export type { MfaResetActor, MfaStatus, TotpSetup } from './mfa-enrolment.js'
export type { MfaLoginInput, MfaLoginResult } from './mfa-login.js'
export type { RegisterInput } from './registration.js'
export type { RefreshResult } from './rotation.js'
export type { LoginField, RequestContext, RevocationWriter } from './service-context.js'
export type { SessionEndActor, SessionEnding, SessionEndReason } from './session-endings.js'
export {
  TOKEN_CLAIM_NAMES,
  type TokenClaimName,
  type TokenClaimsLoader,
  tokenClaimsLoader,
} from './token-claims.js'
