import type { Kysely, Migration } from 'kysely'
import { columnTypes, type SqlDialect } from './sql-dialect.js'

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
type AnyKysely = Kysely<any>

/**
 * `0004_revoked_sessions`: revoked sessions, so that every process refuses the access tokens of
 * a session that ended (their `sid` claim), not only its refresh tokens. Indexed like
 * `revoked_access_tokens`: by expiry for the flush and by write time for `loadChangedSince`.
 * No foreign key to `sessions`: the revocation outlives a flushed session row.
 */
export function revokedSessionsMigration(dialect: SqlDialect): Migration {
  const t = columnTypes(dialect)
  return {
    async up(db: AnyKysely) {
      await db.schema
        .createTable('revoked_sessions')
        .addColumn('session_id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', t.time, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .execute()
      for (const column of ['expires_at', 'created_at']) {
        await db.schema
          .createIndex(`revoked_sessions_${column}`)
          .on('revoked_sessions')
          .column(column)
          .execute()
      }
    },
    async down(db: AnyKysely) {
      await db.schema.dropTable('revoked_sessions').execute()
    },
  }
}
