import type { Kysely, Migration } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
type AnyKysely = Kysely<any>

const INDEXES = [
  // The admin audit view filters by type (newest first, by id) and by time.
  ['audit_events_type_id', 'audit_events', ['type', 'id']],
  ['audit_events_at', 'audit_events', ['at']],
] as const

/**
 * `0007_admin_indexes`: indexes for the admin API's audit filters, which would otherwise scan
 * the whole append-only log. The users filters need none: the user table is small next to it,
 * and `username_key` and `email_key` are indexed already.
 */
export const adminIndexesMigration: Migration = {
  async up(db: AnyKysely) {
    for (const [name, table, columns] of INDEXES) {
      await db.schema
        .createIndex(name)
        .on(table)
        .columns([...columns])
        .execute()
    }
  },
  async down(db: AnyKysely) {
    for (const [name] of INDEXES) await db.schema.dropIndex(name).execute()
  },
}
