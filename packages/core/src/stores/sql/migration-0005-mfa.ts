import type { Kysely, Migration } from 'kysely'
import { columnTypes, type SqlDialect } from './sql-dialect.js'

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
type AnyKysely = Kysely<any>

/**
 * `0005_mfa`: second factors. `mfa_totp` holds one authenticator per user with the last time
 * step accepted (each code once, atomically: `UPDATE ... WHERE last_used_step < ?`);
 * `mfa_recovery_codes` their SHA-256 digests; `mfa_used_tokens` the jti of every MFA token
 * spent (single use across instances); `mfa_trusted_devices` the devices that skip the second
 * factor, by the digest of their token.
 */
export function mfaMigration(dialect: SqlDialect): Migration {
  const t = columnTypes(dialect)
  return {
    async up(db: AnyKysely) {
      await db.schema
        .createTable('mfa_totp')
        .addColumn('user_id', t.key, (c) =>
          c.primaryKey().references('users.id').onDelete('cascade'),
        )
        .addColumn('secret', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('confirmed_at', t.time)
        .addColumn('last_used_step', t.key)
        .execute()
      await db.schema
        .createTable('mfa_recovery_codes')
        .addColumn('user_id', t.key, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('used_at', t.time)
        .addPrimaryKeyConstraint('mfa_recovery_codes_pkey', ['user_id', 'code_hash'])
        .execute()
      await db.schema
        .createTable('mfa_used_tokens')
        .addColumn('jti', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('expires_at', t.time, (c) => c.notNull())
        .execute()
      await db.schema
        .createIndex('mfa_used_tokens_expires_at')
        .on('mfa_used_tokens')
        .column('expires_at')
        .execute()
      await db.schema
        .createTable('mfa_trusted_devices')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('user_id', t.key, (c) => c.notNull().references('users.id').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull())
        .addColumn('device', 'text', (c) => c.notNull())
        .addColumn('ip', 'text', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('expires_at', t.time, (c) => c.notNull())
        .addColumn('revoked_at', t.time)
        .addUniqueConstraint('mfa_trusted_devices_token_hash_unique', ['token_hash'])
        .execute()
      for (const column of ['user_id', 'expires_at']) {
        await db.schema
          .createIndex(`mfa_trusted_devices_${column}`)
          .on('mfa_trusted_devices')
          .column(column)
          .execute()
      }
    },
    async down(db: AnyKysely) {
      for (const table of ['mfa_trusted_devices', 'mfa_used_tokens', 'mfa_recovery_codes']) {
        await db.schema.dropTable(table).execute()
      }
      await db.schema.dropTable('mfa_totp').execute()
    },
  }
}
