/** What a store answers for one hit. */
export interface ThrottleDecision {
  /** Whether the request may proceed; when it may, the hit was recorded. */
  readonly allowed: boolean
  /**
   * Whole seconds until a request on this key can succeed (DRF's `wait()`, rounded up): an
   * integer >= 1 when refused, 0 when allowed. Sent as `Retry-After`.
   */
  readonly retryAfterSeconds: number
  /** Further requests this window allows after this one (0 when refused). */
  readonly remaining: number
}

/**
 * Counters behind the throttles: one sliding window per key, DRF's `SimpleRateThrottle`
 * semantics. A key is allowed while fewer than `limit` of its recorded hits happened in the last
 * `windowSeconds` (a hit at `t` leaves the window at `t + windowSeconds` exactly); an allowed hit
 * is recorded, a refused one is not (so a client that keeps hammering is let in again once its
 * old hits age out, as in DRF).
 *
 * Atomicity: `hit` counts and decides in one step. Of N concurrent hits on a key with room for
 * `limit`, exactly `limit` are allowed, on every instance sharing the store: a read followed by a
 * separate write is not enough. (Redis: one Lua script doing `ZREMRANGEBYSCORE`, `ZCARD`, then
 * `ZADD` + `EXPIRE` or `ZRANGE 0 0` for the wait; SQL: one transaction with a row lock.)
 *
 * Time: the caller passes `now` (epoch seconds, fractions allowed) and stores never read a clock,
 * so tests freeze time and instances agree on one clock per request.
 *
 * Memory: a store must bound what it holds; when it cannot record a new key it refuses the hit
 * (fails closed) rather than forget another key, which would reset an attacker's counter. A store
 * that is unreachable throws; callers answer 503, never let the request through.
 *
 * Implementations: `MemoryThrottleStore` (one process); a shared store (Redis) for several.
 */
export interface ThrottleStore {
  /**
   * Records a hit on `key` at `now` if fewer than `limit` hits are inside the window, and says
   * whether it was allowed.
   *
   * @param key - The bucket, built by a throttle (bounded length, no raw user input).
   * @param limit - Hits allowed per window, an integer >= 0.
   * @param windowSeconds - The window's length in seconds, > 0.
   * @param now - The current time in epoch seconds.
   */
  hit(
    key: string,
    limit: number,
    windowSeconds: number,
    now: number,
  ): Promise<ThrottleDecision> | ThrottleDecision
}
