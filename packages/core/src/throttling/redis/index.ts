/**
 * `@tessera/core/redis-throttle`: throttle counters in Redis, shared by every instance, through an
 * injected client (ioredis is an optional peer dependency; this module never imports it).
 */
export {
  DEFAULT_REDIS_THROTTLE_PREFIX,
  type RedisThrottleClient,
  RedisThrottleStore,
  type RedisThrottleStoreOptions,
} from './redis-throttle-store.js'
