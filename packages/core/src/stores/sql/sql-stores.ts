import { sql } from 'kysely'
import type { Stores } from '../stores.js'
import { createSqlAuditStore } from './sql-audit-store.js'
import type { SqlContext } from './sql-context.js'
import { guard } from './sql-errors.js'
import { createSqlImportStore } from './sql-import-store.js'
import { createSqlKeyStore } from './sql-key-store.js'
import { createSqlMailOutboxStore } from './sql-mail-outbox-store.js'
import { createSqlMfaStore } from './sql-mfa-store.js'
import { migrateToLatest } from './sql-migrations.js'
import { createSqlPasskeyStore } from './sql-passkey-store.js'
import { createSqlPermissionStore } from './sql-permission-store.js'
import { createSqlRevocationStore } from './sql-revocation-store.js'
import { createSqlSessionStore } from './sql-session-store.js'
import { createSqlUserStore } from './sql-user-store.js'

/** Options of {@link createSqlStores}. */
export interface SqlStoresOptions {
  /** PostgreSQL schema holding the tables (and the migration history); default search_path. */
  readonly schema?: string | undefined
}

/** The whole bundle over one SQL context: what the SQLite and PostgreSQL adapters return. */
export function createSqlStores(context: SqlContext, options: SqlStoresOptions = {}): Stores {
  return {
    users: createSqlUserStore(context),
    permissions: createSqlPermissionStore(context),
    sessions: createSqlSessionStore(context),
    revocations: createSqlRevocationStore(context),
    audit: createSqlAuditStore(context),
    keys: createSqlKeyStore(context),
    imports: createSqlImportStore(context),
    mfa: createSqlMfaStore(context),
    mail: createSqlMailOutboxStore(context),
    passkeys: createSqlPasskeyStore(context),
    migrate: () => migrateToLatest(context, options.schema),
    ping: () =>
      guard(async () => {
        await sql`select 1`.execute(context.db)
      }),
    // The adapters only borrow injected clients (and Kysely holds nothing else): nothing to close.
    close: async () => {},
  }
}
