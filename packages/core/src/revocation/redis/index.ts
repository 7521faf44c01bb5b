/**
 * `@tessera/core/redis-bus`: the revocation bus over Redis pub/sub, through injected clients
 * (ioredis is an optional peer dependency; this module never imports it).
 */
export {
  createRedisRevocationBus,
  type RedisPublisher,
  type RedisRevocationBusOptions,
  type RedisSubscriber,
} from './redis-revocation-bus.js'
