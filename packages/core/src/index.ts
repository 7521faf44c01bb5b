/**
 * @tessera/core: settings, keys, the JWT signer and strict verifier, and the error catalogue.
 * Framework-agnostic; the Fastify and Express packages are thin shells over it.
 */
export * from './auth/index.js'
export * from './errors/index.js'
export * from './jwks/index.js'
export * from './keys/index.js'
export * from './passwords/index.js'
export * from './permissions/index.js'
export * from './resource/index.js'
export * from './revocation/index.js'
export * from './services/index.js'
export * from './settings/index.js'
export * from './stores/index.js'
export * from './throttling/index.js'
export * from './tokens/index.js'
export * from './users/index.js'
