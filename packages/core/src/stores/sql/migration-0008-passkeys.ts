import type { Kysely, Migration } from 'kysely'
import { columnTypes, type SqlDialect } from './sql-dialect.js'

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
type AnyKysely = Kysely<any>

/**
 * `0008_passkeys`: WebAuthn credentials and their ceremonies' challenges. `passkeys` is keyed by
 * the credential id (unique across users, as the authenticator made it) with the last accepted
 * signature counter (`UPDATE ... WHERE counter < ?` accepts each once); `passkey_challenges`
 * holds each challenge until it is answered (`DELETE ... RETURNING`: single use across
 * instances) or flushed after it expires.
 */
export function passkeysMigration(dialect: SqlDialect): Migration {
  const t = columnTypes(dialect)
  return {
    async up(db: AnyKysely) {
      await db.schema
        .createTable('passkeys')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', t.key, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('counter', t.key, (c) => c.notNull())
        .addColumn('transports', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('device_type', 'text', (c) => c.notNull())
        .addColumn('backed_up', t.bool, (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('last_used_at', t.time)
        .addColumn('cloned_at', t.time)
        .execute()
      await db.schema.createIndex('passkeys_user_id').on('passkeys').column('user_id').execute()
      await db.schema
        .createTable('passkey_challenges')
        .addColumn('challenge', 'text', (c) => c.primaryKey())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('user_id', t.key, (c) => c.references('users.id').onDelete('cascade'))
        .addColumn('expires_at', t.time, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('passkey_challenges_expires_at')
        .on('passkey_challenges')
        .column('expires_at')
        .execute()
    },
    async down(db: AnyKysely) {
      await db.schema.dropTable('passkey_challenges').execute()
      await db.schema.dropTable('passkeys').execute()
    },
  }
}
