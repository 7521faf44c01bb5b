/**
 * `@tessera/core/postgres-bus`: the revocation bus over PostgreSQL LISTEN/NOTIFY, through an
 * injected pg Pool and client factory (pg is an optional peer dependency; this module never
 * imports it).
 */
export {
  createPostgresRevocationBus,
  type PostgresListenClient,
  type PostgresNotification,
  type PostgresNotifyPool,
  type PostgresRevocationBusOptions,
} from './postgres-revocation-bus.js'
