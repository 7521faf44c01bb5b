import Database from 'better-sqlite3'
import { FIXTURE_DATABASE } from './django-fixture.js'

// The Django tables an import reads, as Django's migrations create them on PostgreSQL (the
// columns the import uses, with their types: booleans, timestamptz).
const TABLES: Readonly<Record<string, string>> = {
  django_content_type: 'id integer primary key, app_label varchar(100), model varchar(100)',
  auth_permission:
    'id integer primary key, content_type_id integer, codename varchar(100), name varchar(255)',
  auth_group: 'id integer primary key, name varchar(150)',
  auth_group_permissions: 'id bigint primary key, group_id integer, permission_id integer',
  auth_user:
    'id integer primary key, password varchar(128), last_login timestamptz, is_superuser boolean, ' +
    'username varchar(150), last_name varchar(150), email varchar(254), is_staff boolean, ' +
    'is_active boolean, date_joined timestamptz, first_name varchar(150)',
  auth_user_groups: 'id bigint primary key, user_id integer, group_id integer',
  auth_user_user_permissions: 'id bigint primary key, user_id integer, permission_id integer',
  token_blacklist_outstandingtoken:
    'id bigint primary key, token text, created_at timestamptz, expires_at timestamptz, ' +
    'user_id integer, jti varchar(255)',
  token_blacklist_blacklistedtoken:
    'id bigint primary key, blacklisted_at timestamptz, token_id bigint',
}

const BOOLEANS = new Set(['is_superuser', 'is_staff', 'is_active'])
const TIMES = new Set(['last_login', 'date_joined', 'created_at', 'expires_at', 'blacklisted_at'])

/** Copies the fixture's Django tables into the (empty) PostgreSQL database at `url`. */
export async function loadFixtureIntoPostgres(url: string): Promise<void> {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  const sqlite = new Database(FIXTURE_DATABASE, { readonly: true })
  await client.connect()
  try {
    for (const [table, columns] of Object.entries(TABLES)) {
      await client.query(`create table ${table} (${columns})`)
      for (const row of sqlite.prepare(`select * from ${table}`).all() as Record<
        string,
        unknown
      >[]) {
        const names = Object.keys(row)
        const values = names.map((name) => {
          const value = row[name]
          if (value === null) return null
          if (BOOLEANS.has(name)) return value === 1
          // SQLite holds Django's UTC datetimes as text without a zone.
          if (TIMES.has(name)) return `${String(value)}+00`
          return value
        })
        await client.query(
          `insert into ${table} (${names.join(', ')}) values (${names.map((_, i) => `$${i + 1}`).join(', ')})`,
          values,
        )
      }
    }
  } finally {
    sqlite.close()
    await client.end()
  }
}
