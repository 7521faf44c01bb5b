import type { Stores } from '@tessera/core'
import { createPostgresStores } from '@tessera/core/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { NOW, successorAt, userWithSession } from './conformance/fixtures.js'
import { dropSchema, openTestPool, POSTGRES_URL, randomSchemaName } from './postgres-fixture.js'

if (POSTGRES_URL === undefined) {
  describe('postgres concurrency', () => {
    serviceNotConfigured('PostgreSQL concurrency', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  const schema = randomSchemaName()
  const pools: pg.Pool[] = []

  beforeAll(async () => {
    pools.push(await openTestPool(url, 10))
  })

  afterAll(async () => {
    const [first] = pools
    if (first) await dropSchema(first, schema)
    await Promise.all(pools.map((pool) => pool.end()))
  })

  describe('postgres: real parallelism across connections', () => {
    it('lets exactly one of 5 pools migrating a new schema at once apply the migrations', async () => {
      for (let index = 1; index < 5; index += 1) pools.push(await openTestPool(url, 2))
      const stores = await Promise.all(
        pools.map((pool) => createPostgresStores({ pool, schema, migrate: false })),
      )
      const reports = await Promise.all(stores.map((each) => each.migrate()))
      expect(reports.flatMap((report) => report.applied)).toEqual([
        '0001_initial',
        '0002_revocation_change_indexes',
        '0003_signing_keys',
        '0004_revoked_sessions',
        '0005_mfa',
        '0006_mail_outbox',
        '0007_admin_indexes',
        '0008_passkeys',
      ])
    })

    it('lets exactly one of 50 consumes through a pool of 10 connections rotate', async () => {
      const pool = pools[0] as pg.Pool
      const stores: Stores = await createPostgresStores({ pool, schema })
      const { input } = await userWithSession(stores, 'alice')
      const successors = Array.from({ length: 50 }, () => successorAt(NOW + 5))
      const results = await Promise.all(
        successors.map((next) =>
          stores.sessions.consumeRefreshToken(input.token.jti, NOW + 5, next),
        ),
      )
      const outcomes = results.map((result) => result.outcome)
      expect(outcomes.filter((outcome) => outcome === 'rotated')).toHaveLength(1)
      expect(outcomes.filter((outcome) => outcome === 'consumed')).toHaveLength(49)
      // The consumes really were spread over the pool's connections.
      expect(pool.totalCount).toBe(10)
      const { rows } = await pool.query<{ jti: string }>(
        `select jti from "${schema}".refresh_tokens where family_id = $1`,
        [input.session.id],
      )
      const winner = successors[outcomes.indexOf('rotated')]
      expect(rows.map((row) => row.jti).sort()).toEqual([input.token.jti, winner?.jti].sort())
    })
  })
}
