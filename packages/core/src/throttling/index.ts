/**
 * Throttling, DRF-compatible and framework-agnostic: rates (`'5/min'`), throttle policies (anon,
 * user, scoped, login), a `Throttler` that applies them over a `ThrottleStore`, the
 * client IP behind trusted proxies, and the 429 body.
 */
export { clientIp, type TrustProxy } from './client-ip.js'
export {
  DEFAULT_MAX_THROTTLE_KEYS,
  MemoryThrottleStore,
  type MemoryThrottleStoreOptions,
} from './memory-throttle-store.js'
export { MAX_THROTTLE_LIMIT, parseRate, type RateInput, type ThrottleRate } from './parse-rate.js'
export type { ThrottleDecision, ThrottleStore } from './throttle-store.js'
export { throttledBody } from './throttled-body.js'
export { type ThrottleResult, Throttler } from './throttler.js'
export {
  anonThrottle,
  type LoginThrottleOptions,
  loginThrottle,
  type MailThrottleOptions,
  mailThrottle,
  scopedThrottle,
  type Throttle,
  type ThrottleBucket,
  type ThrottleRequest,
  userThrottle,
} from './throttles.js'
