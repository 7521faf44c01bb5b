/**
 * `@tessera/core/postgres`: the stores in PostgreSQL through an injected pg Pool (pg is an
 * optional peer dependency; this module never imports it).
 */
export {
  createPostgresStores,
  type PostgresPool,
  type PostgresStoresOptions,
} from './postgres-stores.js'
