import { EventEmitter } from 'node:events'
import { createRedisRevocationBus, type RedisSubscriber } from '@tessera/core/redis-bus'
import { afterEach, describe, expect, it, vi } from 'vitest'

/** A stand-in for an ioredis subscriber connection. */
class FakeSubscriber extends EventEmitter implements RedisSubscriber {
  status = 'ready'
  silent = false
  readonly subscribed: string[] = []
  readonly disconnects: boolean[] = []

  async subscribe(channel: string): Promise<unknown> {
    this.subscribed.push(channel)
    return 1
  }

  async unsubscribe(): Promise<unknown> {
    return 0
  }

  ping(): Promise<unknown> {
    return this.silent ? new Promise(() => {}) : Promise.resolve('PONG')
  }

  disconnect(reconnect?: boolean): void {
    this.disconnects.push(reconnect ?? false)
    this.status = 'reconnecting'
    this.emit('close')
  }

  reconnect(): void {
    this.status = 'ready'
    this.emit('ready')
  }
}

afterEach(() => {
  vi.useRealTimers()
})

async function setup(heartbeatSeconds = 0) {
  const subscriber = new FakeSubscriber()
  const bus = await createRedisRevocationBus({
    publisher: { publish: async () => 1 },
    subscriber,
    heartbeatSeconds,
  })
  const statuses: string[] = []
  bus.on('down', () => statuses.push('down'))
  bus.on('up', () => statuses.push('up'))
  return { subscriber, bus, statuses }
}

describe('redis revocation bus: reconnects and heartbeats (no server)', () => {
  it('reports down on close and up only once subscribed again after ready', async () => {
    const { subscriber, bus, statuses } = await setup()
    expect(bus.connected).toBe(true)
    subscriber.status = 'reconnecting'
    subscriber.emit('close')
    expect(statuses).toEqual(['down'])
    subscriber.reconnect()
    await vi.waitFor(() => expect(statuses).toEqual(['down', 'up']))
    expect(subscriber.subscribed).toEqual(['tessera_revocations', 'tessera_revocations'])
    await bus.close()
  })

  it('drops the connection when a PING goes unanswered, and recovers', async () => {
    vi.useFakeTimers()
    const { subscriber, bus, statuses } = await setup(1)
    await vi.advanceTimersByTimeAsync(3000)
    expect(statuses).toEqual([])
    subscriber.silent = true
    await vi.advanceTimersByTimeAsync(2000)
    expect(statuses).toEqual(['down'])
    expect(subscriber.disconnects).toEqual([true])
    subscriber.silent = false
    subscriber.reconnect()
    await vi.advanceTimersByTimeAsync(0)
    expect(statuses).toEqual(['down', 'up'])
    // No spurious second drop from the PING lost with the old connection.
    await vi.advanceTimersByTimeAsync(3000)
    expect(statuses).toEqual(['down', 'up'])
    await bus.close()
  })
})
