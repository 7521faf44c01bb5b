import { type Kysely, type MigrationProvider, type MigrationResult, Migrator } from 'kysely'
import { emailKey } from '../../users/email.js'
import { type MigrationReport, StoreUnavailableError } from '../stores.js'
import { initialMigration } from './migration-0001-initial.js'
import { revocationChangeIndexesMigration } from './migration-0002-revocation-change-indexes.js'
import { signingKeysMigration } from './migration-0003-signing-keys.js'
import { revokedSessionsMigration } from './migration-0004-revoked-sessions.js'
import { mfaMigration } from './migration-0005-mfa.js'
import { mailOutboxMigration } from './migration-0006-mail-outbox.js'
import { adminIndexesMigration } from './migration-0007-admin-indexes.js'
import { passkeysMigration } from './migration-0008-passkeys.js'
import type { SqlContext } from './sql-context.js'
import type { Database } from './sql-database.js'
import type { SqlDialect } from './sql-dialect.js'
import { driverCode, guard } from './sql-errors.js'

/**
 * Kysely's bookkeeping tables under Tessera's own names, so that an application running its own
 * Kysely migrations in the same database keeps its history apart.
 */
export const MIGRATION_TABLE = 'tessera_migration'
export const MIGRATION_LOCK_TABLE = 'tessera_migration_lock'

/** Tessera's migrations for `dialect`, as code: names sort in the order they apply. */
export function createMigrationProvider(dialect: SqlDialect): MigrationProvider {
  return {
    async getMigrations() {
      return {
        '0001_initial': initialMigration(dialect),
        '0002_revocation_change_indexes': revocationChangeIndexesMigration,
        '0003_signing_keys': signingKeysMigration(dialect),
        '0004_revoked_sessions': revokedSessionsMigration(dialect),
        '0005_mfa': mfaMigration(dialect),
        '0006_mail_outbox': mailOutboxMigration(dialect),
        '0007_admin_indexes': adminIndexesMigration,
        '0008_passkeys': passkeysMigration(dialect),
      }
    },
  }
}

function report(results: readonly MigrationResult[] | undefined): MigrationReport {
  return {
    applied: (results ?? [])
      .filter((result) => result.status === 'Success')
      .map((result) => result.migrationName),
  }
}

/**
 * Applies pending migrations. PostgreSQL: Kysely's Migrator holds an advisory lock and runs them
 * in a transaction, so concurrent callers wait and then find nothing to do. SQLite: Kysely's lock
 * is a no-op there (it assumes one connection), so the whole run happens inside one
 * BEGIN IMMEDIATE transaction, which serializes processes sharing the file the same way.
 */
export async function migrateToLatest(
  context: SqlContext,
  schema: string | undefined,
): Promise<MigrationReport> {
  const run = async (db: Kysely<Database>): Promise<MigrationReport> => {
    const migrator = new Migrator({
      db,
      provider: createMigrationProvider(context.dialect),
      migrationTableName: MIGRATION_TABLE,
      migrationLockTableName: MIGRATION_LOCK_TABLE,
      ...(schema === undefined ? {} : { migrationTableSchema: schema }),
    })
    const { error, results } = await migrator.migrateToLatest()
    if (error !== undefined) {
      const failed = results?.find((result) => result.status === 'Error')?.migrationName
      const code = driverCode(error)
      // Throwing rolls the SQLite transaction back; the message names the step and the driver's
      // code (`42501`: no CREATE privilege), never the SQL or the driver's message.
      throw new StoreUnavailableError(
        `${failed ? `migration ${failed}` : 'migration'} failed${code ? ` (${code})` : ''}`,
        code,
      )
    }
    await fillEmailKeys(db)
    return report(results)
  }
  return guard(() =>
    context.dialect === 'sqlite'
      ? context.writeTransaction(run)
      : runRetrying(() => run(context.db)),
  )
}

/**
 * Recomputes `users.email_key` where it does not match the address. 0006 computed the key of
 * every row there was; an instance of an earlier version still running while 0006 was applied (a
 * rolling upgrade) goes on writing users without one (the column's default '') and changing
 * addresses without changing it, and those users would be invisible to resets and email logins.
 * Each migrate (every start, `tessera migrate`) repairs them. The database compares ASCII
 * addresses itself (`lower()` equals the key there); only the rows it finds are read.
 */
async function fillEmailKeys(db: Kysely<Database>): Promise<void> {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'email_key'])
    .where(({ eb, fn }) => eb('email_key', '<>', fn<string>('lower', ['email'])))
    .execute()
  for (const row of rows) {
    const key = row.email === '' ? '' : emailKey(row.email)
    if (key === row.email_key) continue
    await db.updateTable('users').set({ email_key: key }).where('id', '=', row.id).execute()
  }
}

/**
 * Kysely creates its schema and history tables with `IF NOT EXISTS` before taking its advisory
 * lock, and PostgreSQL's `IF NOT EXISTS` is not safe against a concurrent creator (a unique
 * violation in the catalog). The loser of that race just runs again and finds the tables.
 */
async function runRetrying(run: () => Promise<MigrationReport>): Promise<MigrationReport> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run()
    } catch (error) {
      if (attempt >= 3) throw error
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt))
    }
  }
}
