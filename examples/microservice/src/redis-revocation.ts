import type { RevocationBus } from '@tessera/core'
import { createRedisRevocationBus } from '@tessera/core/redis-bus'
import { Redis } from 'ioredis'

/**
 * Tessera's revocation bus on Redis, as `tessera serve` opens it with the same `REDIS_URL` and
 * `REDIS_PREFIX`: logouts, password changes and deactivations reach this service at once
 * instead of at the access token's expiry.
 */
export async function connectRevocations(
  url: string,
  prefix: string,
): Promise<{ bus: RevocationBus; close(): Promise<void> }> {
  const publisher = new Redis(url, { lazyConnect: true })
  const subscriber = new Redis(url, { lazyConnect: true })
  await Promise.all([publisher.connect(), subscriber.connect()])
  const bus = await createRedisRevocationBus({
    publisher,
    subscriber,
    channel: `${prefix}revocations`,
  })
  return {
    bus,
    // The bus never closes the clients it was given: they are ours.
    async close() {
      await bus.close()
      publisher.disconnect()
      subscriber.disconnect()
    },
  }
}
