/**
 * @tessera/server: the Tessera auth server. `buildServer()` (a Fastify instance with the API,
 * docs, probes and logs, not listening), the server's settings on top of core's, and the
 * `tessera` CLI (`runCli`).
 * @module
 */
export {
  BODY_LIMIT_BYTES,
  type BuildServerOptions,
  buildServer,
  type TesseraServer,
} from './build-server.js'
export type { CliIo } from './cli/cli-io.js'
export { runCli } from './cli/run-cli.js'
export { DOCS_PATH, OPENAPI_PATH } from './http/api-docs.js'
export { READINESS_RETRY_AFTER_SECONDS } from './http/health-routes.js'
export { type LogStream, REDACT_PATHS, SECRET_BODY_FIELDS } from './http/logger-options.js'
export { JWKS_MAX_AGE, KEY_PREPUBLISH } from './keys/key-ring-timing.js'
export type { ServerKeyRing } from './keys/server-key-ring.js'
export { type DatabaseLocation, describePostgresUrl } from './settings/database-url-spec.js'
export {
  DEVELOPMENT_KEY_FILE,
  developmentKeyPath,
  loadOrCreateDevelopmentKey,
  readDevelopmentKey,
} from './settings/development-key.js'
export {
  databaseLocation,
  loadServerConfig,
  type ServerConfig,
  type SigningKeySource,
  SQLITE_FILE,
} from './settings/load-server-config.js'
export {
  type LoadServerSettingsOptions,
  loadServerSettings,
} from './settings/load-server-settings.js'
export { type ServerSettingSpecs, serverSettingSpecs } from './settings/server-setting-specs.js'
export {
  LOG_LEVELS,
  type LogLevel,
  type ServerOnlySettings,
  type ServerSettingName,
  type ServerSettings,
  type ServerSettingsInput,
} from './settings/server-settings.js'
export type { TrustProxy } from './settings/trust-proxy-spec.js'
export { type StartedServer, startServer } from './start-server.js'
export { describeDatabase, type OpenStoresOptions, openStores } from './stores/open-stores.js'
