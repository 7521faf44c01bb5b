import type { Kysely, Migration } from 'kysely'
import { emailKey } from '../../users/email.js'
import { columnTypes, type SqlDialect } from './sql-dialect.js'

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
type AnyKysely = Kysely<any>

/**
 * `0006_mail_outbox`: the mail outbox (messages waiting for the sender, and what became of them),
 * and `users.email_key`, the case-folded address that password resets and email logins look
 * users up by. The key is computed here in JavaScript, as the stores compute it (SQLite's
 * `lower()` folds ASCII only), for the rows that exist; not unique: existing duplicates are
 * reported by `tessera` rather than guessed away.
 */
export function mailOutboxMigration(dialect: SqlDialect): Migration {
  const t = columnTypes(dialect)
  return {
    async up(db: AnyKysely) {
      await db.schema
        .alterTable('users')
        .addColumn('email_key', 'text', (c) => c.notNull().defaultTo(''))
        .execute()
      const rows: { id: string | number; email: string }[] = await db
        .selectFrom('users')
        .select(['id', 'email'])
        .where('email', '!=', '')
        .execute()
      for (const row of rows) {
        await db
          .updateTable('users')
          .set({ email_key: emailKey(row.email) })
          .where('id', '=', row.id)
          .execute()
      }
      await db.schema.createIndex('users_email_key').on('users').column('email_key').execute()

      await db.schema
        .createTable('mail_outbox')
        .addColumn('id', t.serial, (c) =>
          dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
        )
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('from_address', 'text', (c) => c.notNull())
        .addColumn('to_address', 'text', (c) => c.notNull())
        .addColumn('subject', 'text', (c) => c.notNull())
        .addColumn('body_text', 'text', (c) => c.notNull())
        .addColumn('body_html', 'text')
        .addColumn('user_id', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', t.time, (c) => c.notNull())
        .addColumn('next_attempt_at', t.time, (c) => c.notNull())
        .addColumn('sent_at', t.time)
        .addColumn('last_error', 'text')
        .execute()
      // The sender's query: pending messages by due time.
      await db.schema
        .createIndex('mail_outbox_status_due')
        .on('mail_outbox')
        .columns(['status', 'next_attempt_at'])
        .execute()
    },
    async down(db: AnyKysely) {
      await db.schema.dropTable('mail_outbox').execute()
      await db.schema.dropIndex('users_email_key').execute()
      await db.schema.alterTable('users').dropColumn('email_key').execute()
    },
  }
}
