/**
 * JWKS (RFC 7517) for resource servers: importing a document into verify-only keys, and a
 * remote key set fetched from one configured URL.
 */
export {
  DEFAULT_JWKS_MAX_BYTES,
  DEFAULT_JWKS_MAX_KEYS,
  type ImportJwksOptions,
  importJwks,
  parseJwks,
} from './import-jwks.js'
export { JwksError, type JwksErrorReason } from './jwks-error.js'
export { type JwksFetch, RemoteJwks, type RemoteJwksOptions } from './remote-jwks.js'
