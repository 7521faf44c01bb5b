import { type Kysely, type Migration, sql } from 'kysely'
import { columnTypes, type SqlDialect } from './sql-dialect.js'

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
type AnyKysely = Kysely<any>

/** The primary key of `signing_keys`, named so that a duplicate kid can be told apart. */
export const SIGNING_KEYS_PK = 'signing_keys_pk'

/** The partial unique index that allows at most one current key. */
export const ONE_CURRENT_KEY_INDEX = 'signing_keys_one_current'

/**
 * `0003_signing_keys`: the asymmetric key ring (`signing_keys`) and its change counter
 * (`signing_key_version`, one row). Times are integer epoch seconds in the time columns (a double
 * holds them exactly; pg returns bigint as a string).
 */
export function signingKeysMigration(dialect: SqlDialect): Migration {
  const t = columnTypes(dialect)
  return {
    async up(db: AnyKysely) {
      await db.schema
        .createTable('signing_keys')
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('alg', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('activated_at', t.time)
        .addColumn('retired_at', t.time)
        .addColumn('verify_until', t.time)
        .addPrimaryKeyConstraint(SIGNING_KEYS_PK, ['kid'])
        .addCheckConstraint(
          'signing_keys_status_check',
          sql`status in ('next', 'current', 'retired')`,
        )
        .execute()
      // The database itself refuses a second current key, whatever a caller does.
      await db.schema
        .createIndex(ONE_CURRENT_KEY_INDEX)
        .on('signing_keys')
        .column('status')
        .unique()
        .where(sql.ref('status'), '=', 'current')
        .execute()
      await db.schema
        .createTable('signing_key_version')
        .addColumn('id', 'integer', (c) => c.primaryKey())
        .addColumn('version', t.key, (c) => c.notNull())
        .execute()
      await db.insertInto('signing_key_version').values({ id: 1, version: 0 }).execute()
    },
    async down(db: AnyKysely) {
      await db.schema.dropTable('signing_key_version').execute()
      await db.schema.dropTable('signing_keys').execute()
    },
  }
}
