import type { ThrottleDecision, ThrottleStore } from './throttle-store.js'
import type { Throttle, ThrottleRequest } from './throttles.js'

/** The outcome of {@link Throttler.check}. */
export type ThrottleResult =
  | { readonly allowed: true }
  | {
      readonly allowed: false
      /** Whole seconds, >= 1: the longest wait among the refusing buckets (`Retry-After`). */
      readonly retryAfterSeconds: number
    }

const ALLOWED: ThrottleResult = Object.freeze({ allowed: true })

/**
 * Applies a list of throttles to requests, DRF's `APIView.check_throttles`: every bucket of every
 * throttle is hit (so an allowed bucket counts the request even when another refuses it), and a
 * refusal reports the longest wait. Framework-agnostic: the Fastify and Express shells build the
 * {@link ThrottleRequest}, call {@link Throttler.check} and answer 429 with `throttledBody` and a
 * `Retry-After` header.
 *
 * A store error propagates (rejects): callers must fail closed (503), never skip the throttle.
 *
 * @example
 * const throttler = new Throttler(new MemoryThrottleStore(), [
 *   anonThrottle('100/day'),
 *   userThrottle('1000/day'),
 * ])
 * const result = await throttler.check({ ip, userId }, Date.now() / 1000)
 * if (!result.allowed) reply.code(429).header('retry-after', result.retryAfterSeconds)
 */
export class Throttler {
  readonly #store: ThrottleStore
  readonly #throttles: readonly Throttle[]

  constructor(store: ThrottleStore, throttles: readonly Throttle[]) {
    this.#store = store
    this.#throttles = [...throttles]
  }

  /**
   * Charges `request` to its buckets at `now` and says whether it may proceed.
   *
   * @param request - The client IP, and the user id, login username and route scope if any.
   * @param now - The current time in epoch seconds (`Date.now() / 1000`; frozen in tests).
   */
  async check(request: ThrottleRequest, now: number): Promise<ThrottleResult> {
    const pending: Array<Promise<ThrottleDecision> | ThrottleDecision> = []
    for (const throttle of this.#throttles) {
      for (const { key, limit, windowSeconds } of throttle.buckets(request)) {
        pending.push(this.#store.hit(key, limit, windowSeconds, now))
      }
    }
    if (pending.length === 0) return ALLOWED
    let refused = false
    let wait = 0
    for (const decision of await Promise.all(pending)) {
      if (decision.allowed) continue
      refused = true
      wait = Math.max(wait, decision.retryAfterSeconds)
    }
    if (!refused) return ALLOWED
    // A refusal always carries a whole number of seconds >= 1, even from a sloppy store.
    const seconds = Math.ceil(wait)
    return {
      allowed: false,
      retryAfterSeconds: Number.isFinite(seconds) && seconds >= 1 ? seconds : 1,
    }
  }
}
