/**
 * Resource servers: services that verify Tessera access tokens locally, with keys from the
 * issuer's JWKS (or static keys), optional revocation over the issuer's bus, and request users
 * built from claims. The Express and Fastify middlewares are thin shells over this.
 */
export { type ClaimsUserOptions, createClaimsUser } from './claims-user.js'
export {
  createResourceAuthenticator,
  type ResourceAuthentication,
  ResourceAuthenticator,
  type ResourceAuthenticatorOptions,
  type ResourceServerOptions,
} from './resource-authenticator.js'
export {
  connectResourceRevocation,
  type ResourceRevocation,
  type ResourceRevocationOptions,
} from './resource-revocation.js'
export {
  type ResourceKeySource,
  ResourceVerifier,
  type ResourceVerifierOptions,
  type ResourceVerifierSettings,
  type ResourceVerifyResult,
} from './resource-verifier.js'
export { importStaticKeys, type StaticKey } from './static-keys.js'
