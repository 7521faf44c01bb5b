import { createHash } from 'node:crypto'
import { emailKey, MAX_EMAIL_LENGTH } from '../users/email.js'
import { MAX_USERNAME_LENGTH, usernameKey } from '../users/username.js'
import { ipIdentity } from './ip-address.js'
import { type RateInput, resolveRate, type ThrottleRate } from './parse-rate.js'

/** What throttles read from a request; the framework shell fills it in. */
export interface ThrottleRequest {
  /** The client IP, as `clientIp` resolved it. */
  readonly ip: string
  /** The authenticated user's id; absent (or empty) for anonymous requests. */
  readonly userId?: string | undefined
  /** The username a login attempt names, as received: raw input of any type. */
  readonly username?: unknown
  /** The route's throttle scope (DRF's `throttle_scope`), for {@link scopedThrottle}. */
  readonly scope?: string | undefined
}

/** One counter a request is charged to: a store key and its rate. */
export interface ThrottleBucket {
  /** `<scope>:<limit>/<window>:<kind>:<identity>`; bounded, never raw user input. */
  readonly key: string
  readonly limit: number
  readonly windowSeconds: number
}

/** A throttle policy (DRF's throttle classes): which buckets a request counts against. */
export interface Throttle {
  /** The policy's name, the first part of its keys: `anon`, `user`, `login` or the scope. */
  readonly scope: string
  /** The buckets `request` is charged to; none when the throttle does not apply to it. */
  buckets(request: ThrottleRequest): ThrottleBucket[]
}

/** Options of {@link loginThrottle}; each rate may be `null` (or `'none'`) to skip that key. */
export interface LoginThrottleOptions {
  /** Attempts per canonical username, from any IP (e.g. `'5/min'`). */
  readonly usernameRate: RateInput
  /** Attempts per client IP, on any username (e.g. `'20/min'`). */
  readonly ipRate: RateInput
}

const SCOPE_PATTERN = /^[\w.-]{1,64}$/
// Identities kept readable in keys (IPs, numeric or UUID user ids); others are hashed.
const PLAIN_IDENTITY = /^[\w.:@/+-]{1,64}$/
const NO_BUCKETS: ThrottleBucket[] = []

/**
 * DRF's `AnonRateThrottle`: anonymous requests (no `userId`) counted per client IP (IPv6 per
 * /64); authenticated requests are not throttled by it.
 *
 * @param rate - e.g. `'100/day'`; `null` or `'none'` disables it.
 * @throws {SettingsError} When `rate` is invalid (setting `THROTTLE_RATES.anon`).
 */
export function anonThrottle(rate: RateInput): Throttle {
  return rateThrottle('anon', resolveRate(rate, 'THROTTLE_RATES.anon'), (request) =>
    isAuthenticated(request) ? undefined : ['ip', ipIdentity(request.ip)],
  )
}

/**
 * DRF's `UserRateThrottle`: per user id when authenticated, else per client IP (a bucket apart
 * from the anonymous throttle's).
 *
 * @param rate - e.g. `'1000/day'`; `null` or `'none'` disables it.
 * @throws {SettingsError} When `rate` is invalid (setting `THROTTLE_RATES.user`).
 */
export function userThrottle(rate: RateInput): Throttle {
  return rateThrottle('user', resolveRate(rate, 'THROTTLE_RATES.user'), userOrIp)
}

/**
 * DRF's `ScopedRateThrottle`: applies to requests whose `scope` is `scope`, counted per user id
 * when authenticated, else per client IP; each scope has its own buckets.
 *
 * @param scope - The route scope, 1-64 characters of letters, digits, `_`, `.`, `-`.
 * @param rate - e.g. `'10/hour'`; `null` or `'none'` disables it.
 * @throws {TypeError} When `scope` is not such a name.
 * @throws {SettingsError} When `rate` is invalid (setting `THROTTLE_RATES.<scope>`).
 * @example scopedThrottle('uploads', '20/hour')
 */
export function scopedThrottle(scope: string, rate: RateInput): Throttle {
  if (typeof scope !== 'string' || !SCOPE_PATTERN.test(scope)) {
    throw new TypeError('scopedThrottle: scope must be 1-64 letters, digits, "_", "." or "-"')
  }
  const parsed = resolveRate(rate, `THROTTLE_RATES.${scope}`)
  return rateThrottle(scope, parsed, (request) =>
    request.scope === scope ? userOrIp(request) : undefined,
  )
}

/**
 * The login throttle: every attempt is charged to two buckets, the client IP (password spraying
 * over many usernames) and the canonical username (one account attacked from many IPs); both
 * hits are counted and the attempt is refused if either is over, with the longer wait. Usernames
 * are canonicalized like {@link usernameKey} (`Admin`, `ａｄｍｉｎ` and `admin` share a bucket)
 * and stored as a SHA-256 digest: keys hold no raw input and no username. A missing or
 * non-string username is charged to the IP bucket only. Run it before any password hash.
 *
 * @throws {SettingsError} When a rate is invalid (`THROTTLE_RATES.login_ip`, `.login_username`).
 * @example new Throttler(store, [loginThrottle({ usernameRate: '5/min', ipRate: '20/min' })])
 */
export function loginThrottle(options: LoginThrottleOptions): Throttle {
  const ipRate = resolveRate(options.ipRate, 'THROTTLE_RATES.login_ip')
  const usernameRate = resolveRate(options.usernameRate, 'THROTTLE_RATES.login_username')
  return {
    scope: 'login',
    buckets(request) {
      const buckets: ThrottleBucket[] = []
      if (ipRate !== null) buckets.push(bucket('login', ipRate, 'ip', ipIdentity(request.ip)))
      const { username } = request
      if (usernameRate !== null && typeof username === 'string' && username !== '') {
        buckets.push(bucket('login', usernameRate, 'username', usernameDigest(username)))
      }
      return buckets
    },
  }
}

/** Options of {@link mailThrottle}; each rate may be `null` (or `'none'`) to skip that key. */
export interface MailThrottleOptions {
  /** Requests per address (case-folded), from any IP (e.g. `'3/hour'`). */
  readonly emailRate: RateInput
  /** Requests per client IP, whatever the address (e.g. `'10/hour'`). */
  readonly ipRate: RateInput
}

/**
 * The throttle of requests that send mail to an address given in the body (password and
 * username resets, activation resends): charged to the client IP and to the address, as
 * {@link loginThrottle} is to the username, so that neither one address can be flooded with
 * mail from many IPs, nor many addresses probed from one. The address travels in
 * `request.username`; it is case-folded like `emailKey` and kept only as a SHA-256 digest. Run
 * it before any lookup, so that known and unknown addresses are refused alike.
 *
 * @throws {SettingsError} When a rate is invalid (`THROTTLE_RATES.mail_ip`, `.mail_email`).
 */
export function mailThrottle(options: MailThrottleOptions): Throttle {
  const ipRate = resolveRate(options.ipRate, 'THROTTLE_RATES.mail_ip')
  const emailRate = resolveRate(options.emailRate, 'THROTTLE_RATES.mail_email')
  return {
    scope: 'mail',
    buckets(request) {
      const buckets: ThrottleBucket[] = []
      if (ipRate !== null) buckets.push(bucket('mail', ipRate, 'ip', ipIdentity(request.ip)))
      const { username: email } = request
      if (emailRate !== null && typeof email === 'string' && email.trim() !== '') {
        const key = emailKey(email.slice(0, 4 * MAX_EMAIL_LENGTH))
        buckets.push(bucket('mail', emailRate, 'email', sha256(key)))
      }
      return buckets
    },
  }
}

type Identify = (request: ThrottleRequest) => [kind: string, identity: string] | undefined

function rateThrottle(scope: string, rate: ThrottleRate | null, identify: Identify): Throttle {
  return {
    scope,
    buckets(request) {
      const identity = rate === null ? undefined : identify(request)
      if (rate === null || identity === undefined) return NO_BUCKETS
      return [bucket(scope, rate, identity[0], identity[1])]
    },
  }
}

function isAuthenticated(
  request: ThrottleRequest,
): request is ThrottleRequest & { userId: string } {
  return typeof request.userId === 'string' && request.userId !== ''
}

function userOrIp(request: ThrottleRequest): [string, string] {
  return isAuthenticated(request) ? ['id', request.userId] : ['ip', ipIdentity(request.ip)]
}

// The rate is part of the key, so two throttles of one scope with different rates (a burst and a
// sustained limit) never share, and corrupt, a bucket.
function bucket(scope: string, rate: ThrottleRate, kind: string, identity: string): ThrottleBucket {
  const shown = PLAIN_IDENTITY.test(identity) ? identity : `#${sha256(identity)}`
  const key = `${scope}:${rate.limit}/${rate.windowSeconds}:${kind}:${shown}`
  return { key, limit: rate.limit, windowSeconds: rate.windowSeconds }
}

// Login looks users up only for names up to 4x the maximum length (NFKC can expand), so longer
// input is cut there before the (costly on huge input) normalization; it names no account anyway.
function usernameDigest(username: string): string {
  return sha256(usernameKey(username.slice(0, 4 * MAX_USERNAME_LENGTH)))
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex')
}
