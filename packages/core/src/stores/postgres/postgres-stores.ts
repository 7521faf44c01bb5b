import { Kysely, type PostgresPool as KyselyPostgresPool, PostgresDialect } from 'kysely'
import { createSqlContext } from '../sql/sql-context.js'
import type { Database } from '../sql/sql-database.js'
import { createSqlStores } from '../sql/sql-stores.js'
import type { Stores } from '../stores.js'

/**
 * The subset of pg's `Pool` the PostgreSQL stores use (`connect`, and clients' `query` and
 * `release`), typed structurally so that core needs pg only when you do. A `new pg.Pool()` fits.
 */
export type PostgresPool = KyselyPostgresPool

/** Options of {@link createPostgresStores}. */
export interface PostgresStoresOptions {
  /**
   * A pg Pool; the stores borrow its connections and never end it. Give it an `error` listener
   * and one on each client (`pool.on('connect', (c) => c.on('error', log))`): pg-pool listens
   * only on idle clients, and a client checked out when the server goes away otherwise emits
   * an unhandled `error` that ends the process (the query in flight rejects anyway).
   */
  readonly pool: PostgresPool
  /** Apply pending migrations before returning (default true; safe from many processes). */
  readonly migrate?: boolean
  /** Schema holding the tables and migration history (created if missing); default search_path. */
  readonly schema?: string
}

/** A plain identifier: Kysely quotes it anyway, this only catches configuration mistakes early. */
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * Stores in PostgreSQL: the production database, shared by any number of processes and machines.
 * Rotation relies on row locks (READ COMMITTED re-checks the conditional UPDATE after waiting), so
 * of N concurrent refreshes with one token exactly one wins, whichever instance serves them.
 *
 * @example
 * const pool = new pg.Pool({ connectionString })
 * pool.on('error', log)
 * pool.on('connect', (client) => client.on('error', log))
 * const stores = await createPostgresStores({ pool })
 */
export async function createPostgresStores(options: PostgresStoresOptions): Promise<Stores> {
  const { pool, schema } = options
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new TypeError('schema must be a plain identifier (letters, digits, underscores)')
  }
  const base = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const db = schema === undefined ? base : base.withSchema(schema)
  // close() has nothing to do: the pool is the caller's (Kysely's destroy() would end it).
  const stores = createSqlStores(createSqlContext(db, 'postgres', schema), { schema })
  if (options.migrate ?? true) await stores.migrate()
  return stores
}
