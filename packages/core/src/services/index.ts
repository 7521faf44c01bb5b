export { AuthService, type AuthServiceOptions } from './auth-service.js'
export type { LoginOptions, LoginResult } from './login.js'
export type { MfaResetActor, MfaStatus, TotpSetup } from './mfa-enrolment.js'
export type { MfaLoginInput, MfaLoginResult, SecondFactor } from './mfa-login.js'
export type { PasskeyAssertion } from './passkey-ceremonies.js'
export type { PasskeyLoginResult } from './passkey-login.js'
export { PASSKEY_CHALLENGE_LIFETIME, type PasskeyOptions } from './passkey-options.js'
export type { PasskeyService } from './passkey-service.js'
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
