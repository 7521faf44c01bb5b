import type { ColumnDefinitionBuilder, Kysely, Migration } from 'kysely'
import { columnTypes, type SqlDialect } from './sql-dialect.js'

// Migrations receive an untyped Kysely: they must keep working when `Database` changes later.
// biome-ignore lint/suspicious/noExplicitAny: the schema builder needs no table types.
type AnyKysely = Kysely<any>

/** An auto-increment key; on SQLite AUTOINCREMENT stops ids of deleted rows being handed out again. */
function serialKey(dialect: SqlDialect) {
  return (column: ColumnDefinitionBuilder) =>
    dialect === 'sqlite' ? column.primaryKey().autoIncrement() : column.primaryKey()
}

async function createAuthTables(db: AnyKysely, dialect: SqlDialect): Promise<void> {
  const t = columnTypes(dialect)
  await db.schema
    .createTable('users')
    .addColumn('id', t.serial, serialKey(dialect))
    .addColumn('username', 'text', (c) => c.notNull())
    .addColumn('username_key', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('first_name', 'text', (c) => c.notNull())
    .addColumn('last_name', 'text', (c) => c.notNull())
    .addColumn('password', 'text')
    .addColumn('is_active', t.bool, (c) => c.notNull())
    .addColumn('is_staff', t.bool, (c) => c.notNull())
    .addColumn('is_superuser', t.bool, (c) => c.notNull())
    .addColumn('last_login', t.time)
    .addColumn('date_joined', t.time, (c) => c.notNull())
    .addColumn('profile', 'text', (c) => c.notNull())
    // Named, so that the adapters can tell this violation (UsernameTakenError) from others.
    .addUniqueConstraint('users_username_key_unique', ['username_key'])
    .execute()
  await db.schema
    .createTable('auth_groups')
    .addColumn('id', t.serial, serialKey(dialect))
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('auth_groups_name_unique', ['name'])
    .execute()
  await db.schema
    .createTable('auth_permissions')
    .addColumn('id', t.serial, serialKey(dialect))
    .addColumn('app_label', 'text', (c) => c.notNull())
    .addColumn('codename', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addUniqueConstraint('auth_permissions_app_label_codename_unique', ['app_label', 'codename'])
    .execute()
  const links = [
    ['user_groups', 'user_id', 'users', 'group_id', 'auth_groups'],
    ['user_permissions', 'user_id', 'users', 'permission_id', 'auth_permissions'],
    ['group_permissions', 'group_id', 'auth_groups', 'permission_id', 'auth_permissions'],
  ] as const
  for (const [table, left, leftTable, right, rightTable] of links) {
    // The composite primary key makes grants idempotent; the cascades clean up deletions.
    await db.schema
      .createTable(table)
      .addColumn(left, t.key, (c) => c.notNull().references(`${leftTable}.id`).onDelete('cascade'))
      .addColumn(right, t.key, (c) =>
        c.notNull().references(`${rightTable}.id`).onDelete('cascade'),
      )
      .addPrimaryKeyConstraint(`${table}_pk`, [left, right])
      .execute()
  }
  // The primary key serves lookups by its first column; the second needs its own index.
  await db.schema.createIndex('user_groups_group_id').on('user_groups').column('group_id').execute()
  await db.schema
    .createIndex('group_permissions_permission_id')
    .on('group_permissions')
    .column('permission_id')
    .execute()
}

async function createTokenTables(db: AnyKysely, dialect: SqlDialect): Promise<void> {
  const t = columnTypes(dialect)
  await db.schema
    .createTable('sessions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', t.key, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', t.time, (c) => c.notNull())
    .addColumn('last_used_at', t.time, (c) => c.notNull())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('ip', 'text', (c) => c.notNull())
    .addColumn('revoked_at', t.time)
    .addColumn('revoke_reason', 'text')
    .execute()
  await db.schema.createIndex('sessions_user_id').on('sessions').column('user_id').execute()
  await db.schema.createIndex('sessions_expires_at').on('sessions').column('expires_at').execute()
  await db.schema
    .createTable('refresh_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('family_id', 'text', (c) =>
      c.notNull().references('sessions.id').onDelete('cascade'),
    )
    .addColumn('user_id', t.key, (c) => c.notNull())
    .addColumn('issued_at', t.time, (c) => c.notNull())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .addColumn('consumed_at', t.time)
    .addColumn('replaced_by', 'text')
    .execute()
  await db.schema
    .createIndex('refresh_tokens_family_id')
    .on('refresh_tokens')
    .column('family_id')
    .execute()
  await db.schema
    .createIndex('refresh_tokens_expires_at')
    .on('refresh_tokens')
    .column('expires_at')
    .execute()
}

async function createRevocationTables(db: AnyKysely, dialect: SqlDialect): Promise<void> {
  const t = columnTypes(dialect)
  await db.schema
    .createTable('revoked_access_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', t.time, (c) => c.notNull())
    .addColumn('created_at', t.time, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('revoked_access_tokens_expires_at')
    .on('revoked_access_tokens')
    .column('expires_at')
    .execute()
  await db.schema
    .createTable('user_token_cutoffs')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('not_before', t.time, (c) => c.notNull())
    .addColumn('updated_at', t.time, (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('audit_events')
    .addColumn('id', t.serial, serialKey(dialect))
    .addColumn('at', t.time, (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('ip', 'text')
    .addColumn('data', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('audit_events_user_id_id')
    .on('audit_events')
    .columns(['user_id', 'id'])
    .execute()
}

/** Tables in creation order; dropped in reverse. */
const TABLES = [
  'users',
  'auth_groups',
  'auth_permissions',
  'user_groups',
  'user_permissions',
  'group_permissions',
  'sessions',
  'refresh_tokens',
  'revoked_access_tokens',
  'user_token_cutoffs',
  'audit_events',
]

/** `0001_initial`: every table of {@link Database}. */
export function initialMigration(dialect: SqlDialect): Migration {
  return {
    async up(db) {
      await createAuthTables(db, dialect)
      await createTokenTables(db, dialect)
      await createRevocationTables(db, dialect)
    },
    async down(db) {
      for (const table of [...TABLES].reverse()) await db.schema.dropTable(table).execute()
    },
  }
}
