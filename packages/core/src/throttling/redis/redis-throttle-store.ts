import { createHash, randomBytes } from 'node:crypto'
import { MemoryThrottleStore } from '../memory-throttle-store.js'
import type { ThrottleDecision, ThrottleStore } from '../throttle-store.js'

/**
 * The subset of an ioredis client the store uses (an ioredis `Redis` fits; each script touches
 * one key, so a `Cluster` should too, untested).
 * Injected: the store never creates, configures, listens on or closes it.
 */
export interface RedisThrottleClient {
  evalsha(sha1: string, numKeys: number, ...args: string[]): Promise<unknown>
  eval(script: string, numKeys: number, ...args: string[]): Promise<unknown>
}

/** Options of {@link RedisThrottleStore}. */
export interface RedisThrottleStoreOptions {
  /** Prepended to every key (default `tessera:throttle:`). */
  readonly prefix?: string
  /**
   * Where hits go while Redis errors or times out: a per-process store, hit with the stricter
   * limit `max(1, floor(limit * fallbackFactor))` (never above `limit`). Default: a
   * `MemoryThrottleStore` of this store's own.
   */
  readonly fallback?: ThrottleStore
  /** The share of each limit allowed per process during an outage, in (0, 1]; default 0.5. */
  readonly fallbackFactor?: number
  /** How long a hit waits for Redis before it goes to the fallback, in ms; default 500. */
  readonly commandTimeoutMs?: number
  /**
   * Told about each failed Redis call (the hit then went to the fallback). It receives a new
   * `Error` holding only the original message: never the command, its arguments or the key.
   * Default: ignore.
   */
  readonly onError?: (error: Error) => void
}

/** The default {@link RedisThrottleStoreOptions.prefix}. */
export const DEFAULT_REDIS_THROTTLE_PREFIX = 'tessera:throttle:'

const DEFAULT_FALLBACK_FACTOR = 0.5
const DEFAULT_COMMAND_TIMEOUT_MS = 500

// DRF's sliding log in one atomic step. KEYS[1]: the sorted set of hit times (score = member's
// time, epoch seconds). ARGV: limit, window (s), now, cutoff (now - window, computed by the caller
// so it is the same double as MemoryThrottleStore's), a unique member.
// Reply: {1, hits now counted} when allowed and recorded; {0, hits counted, oldest score as
// Redis formats it} when refused ({0, 0} with limit 0). Scores go back as strings: Lua numbers
// are truncated to integers in replies.
const HIT_SCRIPT = `
local key = KEYS[1]
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[4])
local count = redis.call('ZCARD', key)
if count > limit then
  redis.call('ZREMRANGEBYRANK', key, 0, count - limit - 1)
  count = limit
end
if count >= limit then
  if count == 0 then return {0, 0} end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return {0, count, oldest[2]}
end
redis.call('ZADD', key, ARGV[3], ARGV[5])
local newest = tonumber(redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')[2])
local ttl = math.ceil((math.max(newest, now) + window - now) * 1000)
if ttl < 1 then ttl = 1 end
redis.call('PEXPIRE', key, ttl)
return {1, count + 1}
`
const HIT_SCRIPT_SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex')

/**
 * A {@link ThrottleStore} in Redis, so limits hold across processes and instances: the same
 * sliding log as `MemoryThrottleStore` (DRF's `SimpleRateThrottle`), one sorted set per key
 * (`<prefix><key>`) holding the times of the hits inside the window, expiring with its newest hit.
 * Each hit is one Lua script (`EVALSHA`, `EVAL` when Redis does not have it cached): expired hits
 * removed, counted, then refused with DRF's wait or recorded, atomically across all clients.
 * Time comes from the caller (`now`), never from Redis's clock.
 *
 * Fails safe, never open: when Redis errors or does not answer within `commandTimeoutMs`, the hit
 * is decided by a per-process fallback store with a stricter limit (`fallbackFactor` of it), so a
 * Redis outage lowers the limits instead of lifting them. The next hit tries Redis again. A
 * command that timed out may still reach Redis later and count there too: that errs on the strict
 * side. If the fallback itself throws, the hit rejects (callers answer 503).
 *
 * Configure the client to fail fast while disconnected (`enableOfflineQueue: false` or
 * `maxRetriesPerRequest: 0`), else each hit waits `commandTimeoutMs` during an outage; give it an
 * `error` listener, as ioredis prints unhandled connection errors.
 *
 * @example
 * import { Redis } from 'ioredis'
 * const client = new Redis(process.env.TESSERA_REDIS_URL, { enableOfflineQueue: false })
 * client.on('error', () => {})
 * const throttler = new Throttler(new RedisThrottleStore(client), [anonThrottle('100/day')])
 */
export class RedisThrottleStore implements ThrottleStore {
  readonly #client: RedisThrottleClient
  readonly #prefix: string
  readonly #fallback: ThrottleStore
  readonly #fallbackFactor: number
  readonly #timeoutMs: number
  readonly #onError: ((error: Error) => void) | undefined
  // Members must be unique per hit across every client: a random id per store and a counter.
  readonly #memberPrefix = randomBytes(9).toString('base64url')
  #counter = 0
  #degraded = false

  constructor(client: RedisThrottleClient, options: RedisThrottleStoreOptions = {}) {
    const factor = options.fallbackFactor ?? DEFAULT_FALLBACK_FACTOR
    if (!Number.isFinite(factor) || factor <= 0 || factor > 1) {
      throw new TypeError('RedisThrottleStore: fallbackFactor must be a number in (0, 1]')
    }
    const timeout = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS
    if (!Number.isFinite(timeout) || timeout <= 0) {
      throw new TypeError('RedisThrottleStore: commandTimeoutMs must be a positive number')
    }
    this.#client = client
    this.#prefix = options.prefix ?? DEFAULT_REDIS_THROTTLE_PREFIX
    this.#fallback = options.fallback ?? new MemoryThrottleStore()
    this.#fallbackFactor = factor
    this.#timeoutMs = timeout
    this.#onError = options.onError
  }

  /** Whether the last completed hit was decided by the fallback (Redis failed). */
  get degraded(): boolean {
    return this.#degraded
  }

  async hit(
    key: string,
    limit: number,
    windowSeconds: number,
    now: number,
  ): Promise<ThrottleDecision> {
    checkArguments(limit, windowSeconds, now)
    try {
      const decision = decide(
        await this.#run(key, limit, windowSeconds, now),
        limit,
        windowSeconds,
        now,
      )
      this.#degraded = false
      return decision
    } catch (error) {
      this.#degraded = true
      this.#report(error)
      return this.#fallback.hit(key, this.#fallbackLimit(limit), windowSeconds, now)
    }
  }

  #fallbackLimit(limit: number): number {
    return Math.min(limit, Math.max(1, Math.floor(limit * this.#fallbackFactor)))
  }

  #run(key: string, limit: number, windowSeconds: number, now: number): Promise<unknown> {
    const args = [
      this.#prefix + key,
      String(limit),
      String(windowSeconds),
      String(now),
      String(now - windowSeconds),
      `${now}:${this.#memberPrefix}:${(this.#counter++).toString(36)}`,
    ]
    const call = this.#client.evalsha(HIT_SCRIPT_SHA, 1, ...args).catch((error: unknown) => {
      if (!isNoScript(error)) throw error
      return this.#client.eval(HIT_SCRIPT, 1, ...args)
    })
    return withTimeout(call, this.#timeoutMs)
  }

  #report(error: unknown): void {
    if (this.#onError === undefined) return
    // ioredis errors carry the command and its arguments (the key): pass the message only.
    const message = error instanceof Error ? error.message : 'unknown error'
    try {
      this.#onError(new Error(`RedisThrottleStore: Redis failed, using the fallback: ${message}`))
    } catch {
      // A throwing reporter must not turn a decision into a failure.
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT')
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)
    timer.unref()
  })
  // A late rejection of `promise` after the timeout must not be unhandled.
  promise.catch(() => {})
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

function decide(
  reply: unknown,
  limit: number,
  windowSeconds: number,
  now: number,
): ThrottleDecision {
  if (!Array.isArray(reply)) throw new Error('unexpected script reply')
  const [allowed, count, oldest] = reply as unknown[]
  if (typeof count !== 'number') throw new Error('unexpected script reply')
  if (allowed === 1) {
    return { allowed: true, retryAfterSeconds: 0, remaining: Math.max(0, limit - count) }
  }
  if (allowed !== 0) throw new Error('unexpected script reply')
  // DRF's wait(): the oldest hit still counted must leave the window; with limit 0 the window.
  const oldestTime = oldest === undefined ? Number.NaN : Number(oldest)
  const wait = Number.isFinite(oldestTime) ? windowSeconds - (now - oldestTime) : windowSeconds
  return refusal(Math.min(wait, windowSeconds))
}

function refusal(waitSeconds: number): ThrottleDecision {
  // DRF rounds the wait up (`math.ceil`); a refusal always says at least 1 s.
  const retryAfterSeconds = Number.isFinite(waitSeconds) ? Math.max(1, Math.ceil(waitSeconds)) : 1
  return { allowed: false, retryAfterSeconds, remaining: 0 }
}

function checkArguments(limit: number, windowSeconds: number, now: number): void {
  if (!Number.isSafeInteger(limit) || limit < 0) {
    throw new TypeError('ThrottleStore.hit: limit must be an integer >= 0')
  }
  if (!Number.isFinite(windowSeconds) || windowSeconds <= 0) {
    throw new TypeError('ThrottleStore.hit: windowSeconds must be a positive number')
  }
  if (!Number.isFinite(now)) throw new TypeError('ThrottleStore.hit: now must be a finite number')
}
