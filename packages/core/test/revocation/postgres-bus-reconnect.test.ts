import { EventEmitter } from 'node:events'
import type { RevocationEvent } from '@tessera/core'
import { createPostgresRevocationBus, type PostgresListenClient } from '@tessera/core/postgres-bus'
import { afterEach, describe, expect, it, vi } from 'vitest'

/** A stand-in for a pg Client: LISTEN succeeds, heartbeats answer unless `silent`. */
class FakeClient extends EventEmitter implements PostgresListenClient {
  readonly queries: string[] = []
  silent = false
  ended = false

  async query(text: string): Promise<unknown> {
    this.queries.push(text)
    if (this.silent) return new Promise(() => {})
    return {}
  }

  async end(): Promise<void> {
    if (this.ended) return
    this.ended = true
    this.emit('end')
  }
}

afterEach(() => {
  vi.useRealTimers()
})

function setup(failures = 0) {
  const clients: FakeClient[] = []
  let toFail = failures
  const connect = vi.fn(async () => {
    if (clients.length > 0 && toFail-- > 0) throw new Error('connection refused')
    const client = new FakeClient()
    clients.push(client)
    return client
  })
  const published: unknown[][] = []
  const pool = {
    query: async (_text: string, values: unknown[]) => {
      published.push(values)
    },
  }
  return { clients, connect, pool, published }
}

describe('postgres revocation bus: reconnects and heartbeats (no database)', () => {
  it('LISTENs on the quoted channel and publishes with pg_notify through the pool', async () => {
    const { clients, connect, pool, published } = setup()
    const bus = await createPostgresRevocationBus({ pool, connect, heartbeatSeconds: 0 })
    expect(clients[0]?.queries).toEqual(['listen "tessera_revocations"'])
    const event = { kind: 'cutoff', userId: 'u1', notBefore: 5 } as const
    await bus.publish(event)
    expect(published).toEqual([['tessera_revocations', JSON.stringify(event)]])
    const received: RevocationEvent[] = []
    bus.subscribe((e) => received.push(e))
    clients[0]?.emit('notification', {
      channel: 'tessera_revocations',
      payload: JSON.stringify(event),
    })
    clients[0]?.emit('notification', { channel: 'other', payload: JSON.stringify(event) })
    expect(received).toEqual([event])
    await bus.close()
    expect(clients[0]?.ended).toBe(true)
  })

  it('reports down on a connection error and up after reconnecting with backoff', async () => {
    vi.useFakeTimers()
    const { clients, connect, pool } = setup(2)
    const errors: unknown[] = []
    const bus = await createPostgresRevocationBus({
      pool,
      connect,
      heartbeatSeconds: 0,
      minBackoffSeconds: 0.1,
      maxBackoffSeconds: 5,
      onError: (error) => errors.push(error),
    })
    const statuses: string[] = []
    bus.on('down', () => statuses.push('down'))
    bus.on('up', () => statuses.push('up'))
    clients[0]?.emit('error', new Error('terminating connection due to administrator command'))
    expect(statuses).toEqual(['down'])
    expect(bus.connected).toBe(false)
    // Two refused attempts: after 0.1 s and 0.2 s; the third, 0.4 s later, succeeds.
    await vi.advanceTimersByTimeAsync(100)
    await vi.advanceTimersByTimeAsync(200)
    expect(connect).toHaveBeenCalledTimes(3)
    expect(statuses).toEqual(['down'])
    await vi.advanceTimersByTimeAsync(400)
    expect(connect).toHaveBeenCalledTimes(4)
    expect(statuses).toEqual(['down', 'up'])
    expect(clients).toHaveLength(2)
    expect(clients[0]?.ended).toBe(true)
    expect(errors.length).toBeGreaterThanOrEqual(3)
    await bus.close()
  })

  it('treats an unanswered heartbeat as a lost connection', async () => {
    vi.useFakeTimers()
    const { clients, connect, pool } = setup()
    const bus = await createPostgresRevocationBus({
      pool,
      connect,
      heartbeatSeconds: 1,
      minBackoffSeconds: 0.1,
    })
    const statuses: string[] = []
    bus.on('down', () => statuses.push('down'))
    bus.on('up', () => statuses.push('up'))
    await vi.advanceTimersByTimeAsync(3000)
    expect(statuses).toEqual([])
    const first = clients[0] as FakeClient
    first.silent = true
    // The ping sent at the next tick gets no answer by the one after: down within 2 intervals.
    await vi.advanceTimersByTimeAsync(2000)
    expect(statuses).toEqual(['down'])
    expect(first.ended).toBe(true)
    await vi.advanceTimersByTimeAsync(100)
    expect(statuses).toEqual(['down', 'up'])
    await bus.close()
  })
})
