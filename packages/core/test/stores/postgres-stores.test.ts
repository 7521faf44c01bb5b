import { StoreInputError, type Stores, StoreUnavailableError } from '@tessera/core'
import { createPostgresStores } from '@tessera/core/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { NOW, newSession, newUser } from './conformance/fixtures.js'
import {
  dropSchema,
  emptyTables,
  loadPg,
  openTestPool,
  POSTGRES_URL,
  randomSchemaName,
} from './postgres-fixture.js'
import { describeStoreConformance } from './store-conformance.js'

if (POSTGRES_URL === undefined) {
  describe('postgres', () => {
    serviceNotConfigured('PostgreSQL conformance', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  // One fresh schema per run of this file, dropped at the end; tests truncate between them.
  const schema = randomSchemaName()
  let pool: pg.Pool | undefined
  let stores: Stores | undefined

  beforeAll(async () => {
    pool = await openTestPool(url, 10)
    stores = await createPostgresStores({ pool, schema })
  })

  afterAll(async () => {
    if (pool) {
      await dropSchema(pool, schema)
      await pool.end()
    }
  })

  describeStoreConformance(`postgres (schema ${schema}, pool of 10)`, async () => {
    if (!pool || !stores) throw new Error('PostgreSQL setup failed')
    await emptyTables(pool, schema)
    return { stores, cleanup: async () => {} }
  })

  describe('postgres adapter', () => {
    it('keeps its tables in the given schema, none in the search_path', async () => {
      // A schema of the test's own first on the search_path: an unqualified name would land
      // there. Looking at public instead would see whatever else shares the test database.
      const decoy = randomSchemaName()
      const target = randomSchemaName()
      const admin = pool as pg.Pool
      await admin.query(`create schema "${decoy}"`)
      const { Pool } = await loadPg()
      const scoped = new Pool({ connectionString: url, max: 2, options: `-c search_path=${decoy}` })
      try {
        await createPostgresStores({ pool: scoped, schema: target })
        const { rows } = await admin.query<{ table_schema: string }>(
          `select distinct table_schema from information_schema.tables
           where table_schema in ($1, $2)`,
          [decoy, target],
        )
        expect(rows.map((row) => row.table_schema)).toEqual([target])
      } finally {
        await scoped.end()
        await dropSchema(admin, decoy)
        await dropSchema(admin, target)
      }
    })

    it('returns bigint ids as decimal strings', async () => {
      const user = await (stores as Stores).users.createUser(newUser('bigint'))
      expect(typeof user.id).toBe('string')
    })

    it('never puts row values in errors: a NOT NULL violation carries no password', async () => {
      const input = { ...newUser('leak'), username: null as unknown as string }
      const failure = await (stores as Stores).users.createUser(input).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(StoreUnavailableError)
      expect(failure).toMatchObject({ driverCode: '23502' })
      expect((failure as Error).cause).toBeUndefined()
      expect(String((failure as Error).message)).not.toContain(input.password ?? '')
      expect(JSON.stringify(failure)).not.toContain('argon2')
    })

    it("answers PostgreSQL's data exceptions (class 22) with StoreInputError, never an outage", async () => {
      const { users, sessions, revocations } = stores as Stores
      const user = await users.createUser(newUser('datum'))
      // Stores without a check of their own: PostgreSQL refuses U+0000 in text (22021).
      const session = newSession(user.id, NOW, 60, { device: 'Mozilla\u0000' })
      const failures = [
        await sessions.createSession(session).catch((e: unknown) => e),
        await revocations.setCutoff('a\u0000b', NOW, NOW).catch((e: unknown) => e),
      ]
      for (const failure of failures) {
        expect(failure).toBeInstanceOf(StoreInputError)
        expect(failure).toMatchObject({ driverCode: '22021' })
        expect(failure).not.toBeInstanceOf(StoreUnavailableError)
        expect((failure as Error).message).not.toContain('Mozilla')
      }
    })

    it('keeps the injected pool open on close()', async () => {
      await (stores as Stores).close()
      await expect((stores as Stores).ping()).resolves.toBeUndefined()
    })
  })
}
