import type { Kysely, Migration } from 'kysely'

// biome-ignore lint/suspicious/noExplicitAny: migrations run against the schema as it was then.
type AnyKysely = Kysely<any>

const INDEXES = [
  ['revoked_access_tokens_created_at', 'revoked_access_tokens', 'created_at'],
  ['user_token_cutoffs_updated_at', 'user_token_cutoffs', 'updated_at'],
] as const

/**
 * Indexes for `loadChangedSince`, which every process runs at each reconciliation and after a
 * bus outage: without them it scanned every live revoked jti (a million rows, each time).
 */
export const revocationChangeIndexesMigration: Migration = {
  async up(db: AnyKysely) {
    for (const [name, table, column] of INDEXES) {
      await db.schema.createIndex(name).on(table).column(column).execute()
    }
  },
  async down(db: AnyKysely) {
    for (const [name] of INDEXES) await db.schema.dropIndex(name).execute()
  },
}
