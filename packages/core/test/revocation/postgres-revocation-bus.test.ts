import { randomBytes } from 'node:crypto'
import {
  createRevocationSync,
  type RevocationBus,
  type RevocationEvent,
  RevocationView,
  type Stores,
} from '@tessera/core'
import { createPostgresStores } from '@tessera/core/postgres'
import { createPostgresRevocationBus, type PostgresListenClient } from '@tessera/core/postgres-bus'
import type pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import {
  dropSchema,
  loadPg,
  openTestPool,
  POSTGRES_URL,
  randomSchemaName,
} from '../stores/postgres-fixture.js'
import { token } from './bus-fixture.js'

if (POSTGRES_URL === undefined) {
  describe('postgres revocation bus', () => {
    serviceNotConfigured('LISTEN/NOTIFY bus', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  const schema = randomSchemaName()
  // A channel of this run only: other test files may listen at the same time.
  const channel = `tessera_revocations_${randomBytes(4).toString('hex')}`
  let pool: pg.Pool | undefined
  let stores: Stores | undefined
  const buses: RevocationBus[] = []

  /** A LISTEN client factory whose connections carry `name`, so a test can kill them. */
  function listenClients(name: string): () => Promise<PostgresListenClient> {
    return async () => {
      const { Client } = await loadPg()
      const client = new Client({ connectionString: url, application_name: name })
      await client.connect()
      return client
    }
  }

  async function openBus(name: string, minBackoffSeconds = 0.1) {
    const errors: unknown[] = []
    const bus = await createPostgresRevocationBus({
      pool: pool as pg.Pool,
      connect: listenClients(name),
      channel,
      minBackoffSeconds,
      onError: (error) => errors.push(error),
    })
    buses.push(bus)
    return { bus, errors }
  }

  async function terminate(name: string): Promise<number> {
    const { rows } = await (pool as pg.Pool).query<{ killed: boolean }>(
      'select pg_terminate_backend(pid) as killed from pg_stat_activity where application_name = $1',
      [name],
    )
    return rows.filter((row) => row.killed).length
  }

  beforeAll(async () => {
    pool = await openTestPool(url, 5)
    stores = await createPostgresStores({ pool, schema })
  })

  afterAll(async () => {
    for (const bus of buses) await bus.close()
    if (pool) {
      await dropSchema(pool, schema)
      await pool.end()
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

    it('delivers an event published on A to B, over separate connections', async () => {
      const a = await openBus(`tessera_bus_a_${channel}`)
      const b = await openBus(`tessera_bus_b_${channel}`)
      expect(b.bus.connected).toBe(true)
      const received: RevocationEvent[] = []
      b.bus.subscribe((event) => received.push(event))
      const event = { kind: 'access', jti: 'j1', userId: 'u1', expiresAt: 1_900_000_000 } as const
      await a.bus.publish(event)
      await vi.waitFor(() => expect(received).toEqual([event]))
    })

    it('drops malformed payloads and reports them', async () => {
      const b = await openBus(`tessera_bus_m_${channel}`)
      const received: RevocationEvent[] = []
      b.bus.subscribe((event) => received.push(event))
      await (pool as pg.Pool).query('select pg_notify($1, $2)', [channel, '{"kind":"access"}'])
      await vi.waitFor(() =>
        expect(b.errors.map(String)).toContain('Error: malformed revocation payload'),
      )
      expect(received).toEqual([])
    })

    it('reports down then up when the LISTEN connection is killed, and the view catches up', async () => {
      const revocations = (stores as Stores).revocations
      const nameB = `tessera_bus_k_${channel}`
      const a = await openBus(`tessera_bus_w_${channel}`)
      // A long first backoff: the revocation below is published while B is surely not listening.
      const b = await openBus(nameB, 1)
      const statuses: string[] = []
      b.bus.on('down', () => statuses.push('down'))
      b.bus.on('up', () => statuses.push('up'))
      const view = new RevocationView()
      const syncA = await createRevocationSync({
        view: new RevocationView(),
        store: revocations,
        bus: a.bus,
        reconcileIntervalSeconds: 0,
      })
      const syncB = await createRevocationSync({
        view,
        store: revocations,
        bus: b.bus,
        reconcileIntervalSeconds: 0,
      })
      expect(view.sure).toBe(true)

      expect(await terminate(nameB)).toBe(1)
      await vi.waitFor(() => expect(statuses).toEqual(['down']))
      expect(view.sure).toBe(false)
      const now = Math.floor(Date.now() / 1000)
      await syncA.revokeAccessToken({ jti: 'missed', userId: 'u1', expiresAt: now + 300 })
      await syncA.setCutoff('u2', now)
      expect(statuses).toEqual(['down'])

      await vi.waitFor(() => expect(statuses).toEqual(['down', 'up']), { timeout: 10_000 })
      await vi.waitFor(() => expect(view.sure).toBe(true), { timeout: 10_000 })
      expect(view.isRevoked(token({ jti: 'missed', exp: now + 300, iat: now }))).toBe(true)
      expect(view.isRevoked(token({ jti: 'other', userId: 'u2', iat: now }))).toBe(true)
      expect(view.isRevoked(token({ jti: 'other', userId: 'u3', iat: now }))).toBe(false)

      // And B hears live events again on its new connection.
      await syncA.revokeAccessToken({ jti: 'after', userId: 'u1', expiresAt: now + 300 })
      await vi.waitFor(() => expect(view.isRevoked(token({ jti: 'after', iat: now }))).toBe(true))
      syncA.close()
      syncB.close()
    })
  })
}
