export type { JsonObject } from '../jws/compact.js'
export { MAX_TOKEN_LENGTH } from '../jws/compact.js'
export { decodeUnverified, type UnverifiedToken } from './decode-unverified.js'
export type { RevocationCheck } from './revocation-check.js'
export {
  createTokenEngine,
  createTokenVerifier,
  type TokenEngine,
  type TokenEngineOptions,
  type TokenVerifierFromSettingsOptions,
} from './token-engine.js'
export {
  type CustomClaimsHook,
  type IssuedToken,
  type IssuedTokenPair,
  newJti,
  TokenIssuer,
  type TokenIssuerOptions,
  type TokenLifetimes,
  type TokenSubject,
} from './token-issuer.js'
export {
  type ClaimNames,
  type Clock,
  DEFAULT_CLAIM_NAMES,
  type JsonValue,
  systemClock,
  type TokenType,
  type VerifiedToken,
} from './token-types.js'
export { TokenVerifier, type TokenVerifierOptions, type VerifyResult } from './token-verifier.js'
