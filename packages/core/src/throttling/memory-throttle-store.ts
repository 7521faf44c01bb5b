import type { ThrottleDecision, ThrottleStore } from './throttle-store.js'

/** The default {@link MemoryThrottleStoreOptions.maxKeys}. */
export const DEFAULT_MAX_THROTTLE_KEYS = 100_000

/** Options of {@link MemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /**
   * The most keys held at once (default 100 000). Each holds at most `limit` timestamps. When
   * full, new keys are refused (see {@link MemoryThrottleStore}).
   */
  readonly maxKeys?: number
}

interface Bucket {
  /** Times of the recorded hits, epoch seconds, oldest first; at most the last `limit`. */
  readonly hits: number[]
  windowSeconds: number
  /** When the newest hit leaves the window: from then on the bucket is empty and may go. */
  expiresAt: number
}

/**
 * A {@link ThrottleStore} in process memory: DRF's sliding log, the timestamps of the hits inside
 * the window per key. Synchronous, so trivially atomic within one process; use a shared store
 * when several processes serve one API. Each hit costs O(limit) at most.
 *
 * Bounded memory: expired keys are dropped lazily on later hits. When `maxKeys` live keys are
 * held, a hit on a new key is refused (fails closed), with a Retry-After until the first key
 * expires. It never evicts a live key to make room: an attacker filling the store would otherwise
 * reset the counters of the buckets it is being throttled on. Existing keys keep working.
 *
 * @example
 * const store = new MemoryThrottleStore({ maxKeys: 50_000 })
 * store.hit('anon:5/60:ip:203.0.113.7', 5, 60, Date.now() / 1000)
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #maxKeys: number
  readonly #buckets = new Map<string, Bucket>()
  // One map per window length, in order of the last recorded hit. With a clock that does not go
  // back this is also the order of expiry, so a sweep stops at the first live bucket.
  readonly #byWindow = new Map<number, Map<string, Bucket>>()

  constructor(options: MemoryThrottleStoreOptions = {}) {
    const maxKeys = options.maxKeys ?? DEFAULT_MAX_THROTTLE_KEYS
    if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
      throw new TypeError('MemoryThrottleStore: maxKeys must be a positive integer')
    }
    this.#maxKeys = maxKeys
  }

  /** The number of keys held (expired ones included until swept). */
  get size(): number {
    return this.#buckets.size
  }

  hit(key: string, limit: number, windowSeconds: number, now: number): ThrottleDecision {
    checkArguments(limit, windowSeconds, now)
    this.#sweep(now)
    const bucket = this.#buckets.get(key)
    const hits = bucket?.hits ?? []
    if (bucket !== undefined) {
      dropOld(hits, limit, windowSeconds, now)
      // Same key, new window (a caller changed its rate): refile so sweeps see the right expiry.
      if (bucket.windowSeconds !== windowSeconds) this.#place(key, bucket, windowSeconds)
    }
    if (hits.length >= limit) {
      // DRF's wait(): the oldest hit that still counts must leave the window. `hits` holds at most
      // `limit` entries here, so that is the first one; with limit 0 the whole window.
      const oldest = hits[0]
      const wait = oldest === undefined ? windowSeconds : windowSeconds - (now - oldest)
      return refusal(Math.min(wait, windowSeconds))
    }
    if (bucket === undefined && this.#buckets.size >= this.#maxKeys) return this.#refuseFull(now)
    insertSorted(hits, now)
    this.#place(key, bucket ?? { hits, windowSeconds, expiresAt: 0 }, windowSeconds)
    return { allowed: true, retryAfterSeconds: 0, remaining: limit - hits.length }
  }

  // (Re)files a bucket at the end of its window's map, its expiry set by its newest hit.
  #place(key: string, bucket: Bucket, windowSeconds: number): void {
    this.#byWindow.get(bucket.windowSeconds)?.delete(key)
    bucket.windowSeconds = windowSeconds
    bucket.expiresAt = (bucket.hits.at(-1) ?? 0) + windowSeconds
    let group = this.#byWindow.get(windowSeconds)
    if (group === undefined) {
      group = new Map()
      this.#byWindow.set(windowSeconds, group)
    }
    group.set(key, bucket)
    this.#buckets.set(key, bucket)
  }

  // Drops expired buckets from the front of each window's map: each bucket is dropped once, so
  // the cost per hit is amortized O(number of distinct windows).
  #sweep(now: number): void {
    for (const [windowSeconds, group] of this.#byWindow) {
      for (const [key, bucket] of group) {
        if (bucket.expiresAt > now) break
        group.delete(key)
        this.#buckets.delete(key)
      }
      if (group.size === 0) this.#byWindow.delete(windowSeconds)
    }
  }

  // Full: refuse until the first bucket expires, when a slot frees up.
  #refuseFull(now: number): ThrottleDecision {
    let firstExpiry = Number.POSITIVE_INFINITY
    for (const group of this.#byWindow.values()) {
      const front = group.values().next()
      if (front.done !== true) firstExpiry = Math.min(firstExpiry, front.value.expiresAt)
    }
    return refusal(firstExpiry - now)
  }
}

function refusal(waitSeconds: number): ThrottleDecision {
  // DRF rounds the wait up (`math.ceil`); a refusal always says at least 1 s.
  const retryAfterSeconds = Number.isFinite(waitSeconds) ? Math.max(1, Math.ceil(waitSeconds)) : 1
  return { allowed: false, retryAfterSeconds, remaining: 0 }
}

// DRF drops hits with `t <= now - window`. Hits beyond the newest `limit` are dropped too (only
// possible if the limit was lowered): they cannot change a decision, and they would cost memory.
function dropOld(hits: number[], limit: number, windowSeconds: number, now: number): void {
  let count = 0
  for (const time of hits) {
    if (time > now - windowSeconds) break
    count++
  }
  count = Math.max(count, hits.length - limit)
  if (count > 0) hits.splice(0, count)
}

// Keeps `hits` sorted even if the clock steps back (NTP), so `hits[0]` stays the oldest.
function insertSorted(hits: number[], now: number): void {
  let index = hits.length
  while (index > 0 && (hits[index - 1] ?? 0) > now) index--
  hits.splice(index, 0, now)
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
