import { randomBytes } from 'node:crypto'
import {
  createRevocationSync,
  type RevocationBus,
  type RevocationEvent,
  RevocationView,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { createRedisRevocationBus } from '@tessera/core/redis-bus'
import { Redis, type RedisOptions } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { token } from './bus-fixture.js'

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || undefined

if (REDIS_URL === undefined) {
  describe('redis revocation bus', () => {
    serviceNotConfigured('pub/sub bus', ['TESSERA_TEST_REDIS_URL'])
  })
} else {
  const url = REDIS_URL
  // A channel of this run only: other test runs may share the server.
  const channel = `tessera_revocations_${randomBytes(4).toString('hex')}`
  const clients: Redis[] = []
  const buses: RevocationBus[] = []
  let admin: Redis | undefined

  function open(options: RedisOptions = {}): Redis {
    const client = new Redis(url, { maxRetriesPerRequest: 2, ...options })
    // Connection errors are expected in the kill test; they must not crash the worker.
    client.on('error', () => {})
    clients.push(client)
    return client
  }

  async function openBus(name: string, reconnectMs = 50) {
    const errors: unknown[] = []
    const bus = await createRedisRevocationBus({
      publisher: open(),
      subscriber: open({ connectionName: name, retryStrategy: () => reconnectMs }),
      channel,
      onError: (error) => errors.push(error),
    })
    buses.push(bus)
    return { bus, errors }
  }

  /** Kills the connections named `name` from another connection; returns how many. */
  async function kill(name: string): Promise<number> {
    const list = String(await (admin as Redis).client('LIST'))
    const ids = list
      .split('\n')
      .filter((line) => line.includes(` name=${name} `))
      .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
      .filter((id): id is string => id !== undefined)
    for (const id of ids) await (admin as Redis).client('KILL', 'ID', id)
    return ids.length
  }

  beforeAll(async () => {
    const client = open({ lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    try {
      await client.connect()
      await client.ping()
    } catch (error) {
      throw new Error(`TESSERA_TEST_REDIS_URL is set but Redis did not answer (${String(error)})`)
    }
    admin = client
  })

  afterAll(async () => {
    for (const bus of buses) await bus.close()
    for (const client of clients) client.disconnect()
  })

  describe('redis revocation bus (pub/sub)', () => {
    it('delivers an event published on A to B, over separate connections', async () => {
      const a = await openBus(`tessera_a_${channel}`)
      const b = await openBus(`tessera_b_${channel}`)
      expect(b.bus.connected).toBe(true)
      const received: RevocationEvent[] = []
      b.bus.subscribe((event) => received.push(event))
      const event = { kind: 'cutoff', userId: 'u1', notBefore: 1_800_000_000 } as const
      await a.bus.publish(event)
      await vi.waitFor(() => expect(received).toEqual([event]))
    })

    it('drops malformed payloads and reports them', async () => {
      const b = await openBus(`tessera_m_${channel}`)
      const received: RevocationEvent[] = []
      b.bus.subscribe((event) => received.push(event))
      await (admin as Redis).publish(channel, 'not json')
      await vi.waitFor(() =>
        expect(b.errors.map(String)).toContain('Error: malformed revocation payload'),
      )
      expect(received).toEqual([])
    })

    it('reports down then up when the subscriber connection is killed, and the view catches up', async () => {
      const store = createMemoryStores().revocations
      const nameB = `tessera_k_${channel}`
      const a = await openBus(`tessera_w_${channel}`)
      // Reconnect after 1 s: the revocation below is published while B is surely not subscribed.
      const b = await openBus(nameB, 1000)
      const statuses: string[] = []
      b.bus.on('down', () => statuses.push('down'))
      b.bus.on('up', () => statuses.push('up'))
      const view = new RevocationView()
      const options = { store, reconcileIntervalSeconds: 0 }
      const syncA = await createRevocationSync({
        ...options,
        view: new RevocationView(),
        bus: a.bus,
      })
      const syncB = await createRevocationSync({ ...options, view, bus: b.bus })
      expect(view.sure).toBe(true)

      expect(await kill(nameB)).toBe(1)
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

      await syncA.revokeAccessToken({ jti: 'after', userId: 'u1', expiresAt: now + 300 })
      await vi.waitFor(() => expect(view.isRevoked(token({ jti: 'after', iat: now }))).toBe(true))
      syncA.close()
      syncB.close()
    })
  })
}
