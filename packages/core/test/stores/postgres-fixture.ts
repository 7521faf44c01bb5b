import { randomBytes } from 'node:crypto'
import type { Stores } from '@tessera/core'
import { createPostgresStores } from '@tessera/core/postgres'
import type pg from 'pg'

/** Loads pg (a CommonJS module) for the tests. */
export async function loadPg(): Promise<typeof pg> {
  return (await import('pg')).default
}

/** The database the PostgreSQL tests use, or undefined to skip them. */
export const POSTGRES_URL = process.env.TESSERA_TEST_POSTGRES_URL || undefined

/** A schema name no other test run uses. */
export function randomSchemaName(): string {
  return `tessera_test_${randomBytes(6).toString('hex')}`
}

/**
 * A pool of `max` connections to {@link POSTGRES_URL}, checked to answer: an unreachable server
 * must fail the suite with a clear message, never skip it.
 */
export async function openTestPool(url: string, max = 10): Promise<pg.Pool> {
  const { Pool } = await loadPg()
  const pool = new Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 })
  // An idle client's network error must fail a test, not crash the worker unhandled.
  pool.on('error', () => {})
  try {
    await pool.query('select 1')
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw new Error(
      `TESSERA_TEST_POSTGRES_URL is set but PostgreSQL did not answer (${String(error)})`,
    )
  }
  return pool
}

/**
 * Stores in a fresh schema over their own pool of `max` connections, and what ends them (closes
 * the stores, drops the schema, ends the pool): the setup of every suite that runs on
 * PostgreSQL.
 */
export async function openPostgresTestStores(
  url: string,
  max = 10,
): Promise<{ stores: Stores; cleanup: () => Promise<void> }> {
  const pool = await openTestPool(url, max)
  const schema = randomSchemaName()
  const stores = await createPostgresStores({ pool, schema })
  return {
    stores,
    cleanup: async () => {
      await stores.close()
      await dropSchema(pool, schema)
      await pool.end()
    },
  }
}

/** Drops `schema` and everything in it; the name is ours (letters, digits, underscores). */
export async function dropSchema(pool: pg.Pool, schema: string): Promise<void> {
  await pool.query(`drop schema if exists "${schema}" cascade`)
}

/**
 * Empties every Tessera table of `schema`, keeping the migration history. DELETE rather than
 * TRUNCATE: on tables this small it is many times faster (no new files, no fsync per table).
 */
export async function emptyTables(pool: pg.Pool, schema: string): Promise<void> {
  // Users, groups and permissions cascade to the link tables, sessions and refresh tokens.
  const tables = [
    'users',
    'auth_groups',
    'auth_permissions',
    'revoked_access_tokens',
    'revoked_sessions',
    'user_token_cutoffs',
    'audit_events',
    'signing_keys',
    'mfa_used_tokens',
    'mail_outbox',
    'passkey_challenges',
  ]
  await pool.query(tables.map((table) => `delete from "${schema}"."${table}";`).join('\n'))
}
