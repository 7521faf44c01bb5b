import { randomBytes } from 'node:crypto'
import { createPostgresRevocationBus, type PostgresListenClient } from '@tessera/core/postgres-bus'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { loadPg, openTestPool, POSTGRES_URL } from '../stores/postgres-fixture.js'
import { describeBusConformance } from './bus-conformance.js'

if (POSTGRES_URL === undefined) {
  describe('postgres revocation bus', () => {
    serviceNotConfigured('LISTEN/NOTIFY bus', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  let pool: pg.Pool | undefined

  /** A LISTEN client factory whose connections carry `name`, so a test can cut them. */
  function listenClients(name: string): () => Promise<PostgresListenClient> {
    return async () => {
      const { Client } = await loadPg()
      const client = new Client({ connectionString: url, application_name: name })
      await client.connect()
      return client
    }
  }

  beforeAll(async () => {
    pool = await openTestPool(url, 5)
  })

  afterAll(async () => {
    await pool?.end()
  })

  describeBusConformance('PostgreSQL LISTEN/NOTIFY', async () => {
    // A channel of this harness only: other test files may listen at the same time.
    const channel = `tessera_revocations_${randomBytes(4).toString('hex')}`
    const reported: unknown[] = []
    const shared = pool as pg.Pool
    return {
      open: (name) =>
        createPostgresRevocationBus({
          pool: shared,
          connect: listenClients(name),
          channel,
          // A first reconnect after 1 s: what a test publishes meanwhile surely misses this bus.
          minBackoffSeconds: 1,
          onError: (error) => reported.push(error),
        }),
      async interrupt(name) {
        const { rows } = await shared.query<{ killed: boolean }>(
          'select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = $1',
          [name],
        )
        if (rows.filter((row) => row.killed).length !== 1) {
          throw new Error(`expected one connection named ${name}`)
        }
      },
      publishRaw: {
        send: async (payload) => {
          await shared.query('select pg_notify($1, $2)', [channel, payload])
        },
        reported: () => reported,
      },
    }
  })

  describe('postgres revocation bus (LISTEN/NOTIFY)', () => {
    it('fails to start when it cannot connect', async () => {
      await expect(
        createPostgresRevocationBus({
          pool: pool as pg.Pool,
          connect: async () => {
            throw new Error('connection refused')
          },
        }),
      ).rejects.toThrow('connection refused')
    })

    it('rejects a channel that is not a plain identifier', async () => {
      await expect(
        createPostgresRevocationBus({
          pool: pool as pg.Pool,
          connect: listenClients('unused'),
          channel: 'x"; drop table users; --',
        }),
      ).rejects.toThrow(TypeError)
    })
  })
}
