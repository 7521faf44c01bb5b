import { KeyManager, type KeySummary, type Stores } from '@tessera/core'
import { createPostgresStores } from '@tessera/core/postgres'
import type pg from 'pg'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { currentKey, storedKey } from './conformance/key-cases.js'
import {
  dropSchema,
  emptyTables,
  openTestPool,
  POSTGRES_URL,
  randomSchemaName,
} from './postgres-fixture.js'

const T = 1_700_000_000
/** Instances: each its own pool, as separate server processes would have. */
const INSTANCES = 4
const CONNECTIONS = 5
const CALLS = INSTANCES * CONNECTIONS * 2

if (POSTGRES_URL === undefined) {
  describe('postgres key concurrency', () => {
    serviceNotConfigured('PostgreSQL key concurrency', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  const schema = randomSchemaName()
  const pools: pg.Pool[] = []
  const instances: Stores[] = []

  beforeAll(async () => {
    for (let index = 0; index < INSTANCES; index += 1) {
      const pool = await openTestPool(url, CONNECTIONS)
      pools.push(pool)
      // The first migrates; the others find the tables.
      instances.push(await createPostgresStores({ pool, schema }))
    }
  })

  beforeEach(async () => {
    await emptyTables(pools[0] as pg.Pool, schema)
  })

  afterAll(async () => {
    const [first] = pools
    if (first) await dropSchema(first, schema)
    await Promise.all(pools.map((pool) => pool.end()))
  })

  /** `count` calls spread round-robin over the instances, all started at once. */
  function spread<T>(count: number, call: (stores: Stores, index: number) => Promise<T>) {
    return Promise.all(
      Array.from({ length: count }, (_, index) =>
        call(instances[index % INSTANCES] as Stores, index),
      ),
    )
  }

  describe(`postgres: the key ring under real parallelism (${INSTANCES} pools of ${CONNECTIONS})`, () => {
    it(`lets exactly one of ${CALLS} insertFirstCurrent win`, async () => {
      const candidates = Array.from({ length: CALLS }, () => currentKey(T))
      const results = await spread(CALLS, (stores, index) =>
        stores.keys.insertFirstCurrent(candidates[index] as (typeof candidates)[number]),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(await (instances[0] as Stores).keys.list()).toEqual([
        candidates[results.indexOf(true)],
      ])
      // The calls really were spread over every pool's connections.
      for (const pool of pools) expect(pool.totalCount).toBe(CONNECTIONS)
    })

    it(`lets exactly one of ${CALLS} insertFirstNext win`, async () => {
      const { keys } = instances[0] as Stores
      const current = currentKey(T - 100)
      await keys.insertFirstCurrent(current)
      const candidates = Array.from({ length: CALLS }, () => storedKey({ createdAt: T }))
      const results = await spread(CALLS, (stores, index) =>
        stores.keys.insertFirstNext(candidates[index] as (typeof candidates)[number]),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(await keys.list()).toEqual([current, candidates[results.indexOf(true)]])
    })

    it(`lets ${CALLS} KeyManagers that find no next key at once publish exactly one`, async () => {
      const { keys } = instances[0] as Stores
      const current = currentKey(T - 100)
      await keys.insertFirstCurrent(current)
      const results = await spread(CALLS, (stores) =>
        new KeyManager({ store: stores.keys, retention: 60, clock: () => T }).rotateIfDue({
          interval: 900,
          prePublish: 300,
        }),
      )
      expect(results).toEqual(Array(CALLS).fill(false))
      const listed = await keys.list()
      expect(listed.filter((key) => key.status === 'next')).toMatchObject([{ createdAt: T }])
      expect(listed.filter((key) => key.status === 'current')).toEqual([current])
    })

    it(`lets exactly one of ${CALLS} rotations with the same expectation happen`, async () => {
      const { keys } = instances[0] as Stores
      const old = currentKey(T - 100)
      await keys.insertFirstCurrent(old)
      const nexts = Array.from({ length: CALLS }, (_, index) => storedKey({ createdAt: T - index }))
      for (const next of nexts) await keys.insert(next)
      const results = await spread(CALLS, (stores, index) =>
        stores.keys.rotate({
          expectedCurrentKid: old.kid,
          nextKid: (nexts[index] as (typeof nexts)[number]).kid,
          at: T,
          verifyUntil: T + 60,
        }),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      const listed = await keys.list()
      expect(listed.filter((key) => key.status === 'current').map((key) => key.kid)).toEqual([
        nexts[results.indexOf(true)]?.kid,
      ])
      expect(listed.filter((key) => key.status === 'retired').map((key) => key.kid)).toEqual([
        old.kid,
      ])
    })

    it(`settles ${CALLS} KeyManager.ensureCurrent on an empty ring on one key`, async () => {
      const results = await spread<KeySummary>(CALLS, (stores) =>
        new KeyManager({ store: stores.keys, retention: 60, clock: () => T }).ensureCurrent(
          'ES256',
        ),
      )
      const listed = await (instances[0] as Stores).keys.list()
      expect(listed).toHaveLength(1)
      expect(listed[0]).toMatchObject({ status: 'current', alg: 'ES256' })
      expect(new Set(results.map((summary) => summary.kid))).toEqual(new Set([listed[0]?.kid]))
    })

    it(`lets exactly one of ${CALLS} due rotateIfDue rotate`, async () => {
      const { keys } = instances[0] as Stores
      const old = currentKey(T - 1000)
      const next = storedKey({ createdAt: T - 500 })
      await keys.insertFirstCurrent(old)
      await keys.insert(next)
      const results = await spread(CALLS, (stores) =>
        new KeyManager({ store: stores.keys, retention: 60, clock: () => T }).rotateIfDue({
          interval: 900,
          prePublish: 300,
        }),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      const listed = await keys.list()
      expect(listed.find((key) => key.kid === next.kid)?.status).toBe('current')
      expect(listed.find((key) => key.kid === old.kid)).toMatchObject({
        status: 'retired',
        verifyUntil: T + 60,
      })
      expect(listed.filter((key) => key.status === 'next')).toHaveLength(1)
    })
  })
}
