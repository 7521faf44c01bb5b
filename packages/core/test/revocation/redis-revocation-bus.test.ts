import { randomBytes } from 'node:crypto'
import { createRedisRevocationBus } from '@tessera/core/redis-bus'
import { Redis, type RedisOptions } from 'ioredis'
import { describe } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { describeBusConformance } from './bus-conformance.js'

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || undefined

if (REDIS_URL === undefined) {
  describe('redis revocation bus', () => {
    serviceNotConfigured('pub/sub bus', ['TESSERA_TEST_REDIS_URL'])
  })
} else {
  const url = REDIS_URL
  describeBusConformance('Redis pub/sub', async () => {
    // A channel of this harness only: other test runs may share the server.
    const channel = `tessera_revocations_${randomBytes(4).toString('hex')}`
    const clients: Redis[] = []
    const reported: unknown[] = []
    const open = (options: RedisOptions = {}) => {
      const client = new Redis(url, { maxRetriesPerRequest: 2, ...options })
      // Connection errors are expected when a test cuts a connection: they must not crash.
      client.on('error', () => {})
      clients.push(client)
      return client
    }
    const admin = open({ lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    try {
      await admin.connect()
      await admin.ping()
    } catch (error) {
      throw new Error(`TESSERA_TEST_REDIS_URL is set but Redis did not answer (${String(error)})`)
    }
    return {
      open: (name) =>
        createRedisRevocationBus({
          publisher: open(),
          // Reconnect after 1 s: what a test publishes meanwhile surely misses this bus.
          subscriber: open({ connectionName: name, retryStrategy: () => 1000 }),
          channel,
          onError: (error) => reported.push(error),
        }),
      async interrupt(name) {
        const list = String(await admin.client('LIST'))
        const ids = list
          .split('\n')
          .filter((line) => line.includes(` name=${name} `))
          .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
        if (ids.length !== 1) throw new Error(`expected one connection named ${name}`)
        await admin.client('KILL', 'ID', ids[0] as string)
      },
      publishRaw: {
        send: async (payload) => {
          await admin.publish(channel, payload)
        },
        reported: () => reported,
      },
      async close() {
        for (const client of clients) client.disconnect()
      },
    }
  })
}
