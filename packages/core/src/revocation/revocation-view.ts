import type { LiveRevocations, RevocationStore } from '../stores/revocation-store.js'
import type { RevocationCheck } from '../tokens/revocation-check.js'
import { type Clock, systemClock, type VerifiedToken } from '../tokens/token-types.js'
import type { RevocationEvent } from './revocation-event.js'

/** Options of {@link RevocationView}. All durations in seconds. */
export interface RevocationViewOptions {
  /** Epoch seconds; default {@link systemClock}. */
  readonly clock?: Clock
  /**
   * How long the view keeps trusting itself after the bus went down (default 0: fail closed at
   * once). Past it, every token is refused until {@link RevocationView.markSure}. This is the
   * bound: a revocation the view missed is honoured at most `graceSeconds` (plus the bus's
   * detection delay) late. A few seconds trade that bound for riding out short bus blips.
   */
  readonly graceSeconds?: number
  /**
   * The verifier's leeway past `exp` (default 0): a revoked jti is kept until `exp + leeway`,
   * as long as the verifier could still accept it.
   */
  readonly leewaySeconds?: number
  /** Least time between two sweeps triggered by writes (default 60). */
  readonly sweepIntervalSeconds?: number
}

/** Sizes of a view, for metrics. */
export interface RevocationViewSize {
  readonly accessTokens: number
  readonly cutoffs: number
}

/**
 * The in-memory revocation state of one process: step 4 of the hot path. `isRevoked` is O(1),
 * synchronous and allocation-free: two Map lookups (and a clock read while the bus is down).
 *
 * - Revoked access jtis are kept until their `exp` (+ leeway), then swept, so memory is bounded
 *   by revocation rate x (access lifetime + leeway + sweep interval).
 * - Per-user cut-offs (`tokens_valid_after`) refuse a token when `iat === undefined ||
 *   iat <= notBefore`, the rule refresh verification uses; they only ever move forward.
 *
 * Fail-closed policy. The view starts unsure (it has loaded nothing) and refuses every token
 * until {@link load} or {@link markSure}. When the bus reports down, `markUnsure(since)` starts a
 * grace period of `graceSeconds` (default 0) during which the view answers from what it has;
 * past it, `isRevoked` answers true for every token until the owner re-read the store's changes
 * since `since` (minus a skew margin) and called `markSure()`. So a revocation written while
 * this process could not hear it is honoured at most `graceSeconds` late, counted from the
 * moment the bus noticed it was down, and never forgotten: the catch-up read brings it in.
 *
 * @example
 * const view = new RevocationView()
 * await view.load(stores.revocations)
 * const verifier = new TokenVerifier({ ..., revocation: view })
 */
export class RevocationView implements RevocationCheck {
  readonly #clock: Clock
  readonly #grace: number
  readonly #leeway: number
  readonly #sweepInterval: number
  /** jti -> exp (epoch seconds). */
  readonly #accessTokens = new Map<string, number>()
  /** floor(exp) -> jtis expiring in that second: sweeping costs what it removes. */
  readonly #expiries = new Map<number, string[]>()
  /** userId -> notBefore (epoch seconds). */
  readonly #cutoffs = new Map<string, number>()
  /** When the view stopped being sure (epoch seconds); -Infinity before the first load. */
  #unsureSince: number | undefined = Number.NEGATIVE_INFINITY
  #lastSweep = Number.NEGATIVE_INFINITY

  constructor(options: RevocationViewOptions = {}) {
    this.#clock = options.clock ?? systemClock
    this.#grace = nonNegative(options.graceSeconds ?? 0, 'graceSeconds')
    this.#leeway = nonNegative(options.leewaySeconds ?? 0, 'leewaySeconds')
    this.#sweepInterval = nonNegative(options.sweepIntervalSeconds ?? 60, 'sweepIntervalSeconds')
  }

  /**
   * True when the token must be refused: revoked jti, cut off, or the view cannot vouch. A
   * refresh token is never refused for the last reason: every use of one goes through the
   * store (session, rotation, cut-off), which is authoritative, so logout and refresh keep
   * working while the bus is down.
   */
  isRevoked(token: VerifiedToken): boolean {
    const unsureSince = this.#unsureSince
    if (
      unsureSince !== undefined &&
      this.#clock() - unsureSince > this.#grace &&
      token.type !== 'refresh'
    ) {
      return true
    }
    if (this.#accessTokens.has(token.jti)) return true
    if (token.userId === undefined) return false
    const notBefore = this.#cutoffs.get(token.userId)
    // Fail closed within the cut-off's second: iat has whole-second resolution.
    return notBefore !== undefined && (token.iat === undefined || token.iat <= notBefore)
  }

  /** True while the view refuses every access token: unsure for longer than its grace. */
  get failingClosed(): boolean {
    const unsureSince = this.#unsureSince
    return unsureSince !== undefined && this.#clock() - unsureSince > this.#grace
  }

  /** Whether `token` is refused because the view cannot vouch (see {@link isRevoked}). */
  failsClosed(token: VerifiedToken): boolean {
    return token.type !== 'refresh' && this.failingClosed
  }

  /** Whether the view vouches for itself (loaded, and the bus not down). */
  get sure(): boolean {
    return this.#unsureSince === undefined
  }

  /** When the view stopped being sure (epoch seconds), or undefined while sure. */
  get unsureSince(): number | undefined {
    return this.#unsureSince
  }

  /** How many revoked jtis and cut-offs the view holds. */
  get size(): RevocationViewSize {
    return { accessTokens: this.#accessTokens.size, cutoffs: this.#cutoffs.size }
  }

  /** Reads every live revocation from the store, merges it in, and marks the view sure. */
  async load(store: Pick<RevocationStore, 'loadLive'>, now: number = this.#clock()): Promise<void> {
    this.merge(await store.loadLive(now))
    this.markSure()
  }

  /** Merges what a store read returned (idempotent; never removes anything). */
  merge(live: LiveRevocations): void {
    for (const entry of live.accessTokens) this.#addAccessToken(entry.jti, entry.expiresAt)
    for (const cutoff of live.cutoffs) this.#raiseCutoff(cutoff.userId, cutoff.notBefore)
    this.#maybeSweep()
  }

  /** Applies one bus event (idempotent; cut-offs only move forward). */
  apply(event: RevocationEvent): void {
    if (event.kind === 'access') this.#addAccessToken(event.jti, event.expiresAt)
    else if (event.kind === 'cutoff') this.#raiseCutoff(event.userId, event.notBefore)
    this.#maybeSweep()
  }

  /**
   * The bus went down (or the view fell behind) at `since`, epoch seconds: after `graceSeconds`
   * from then, refuse everything. Keeps the earliest `since` while already unsure.
   */
  markUnsure(since: number = this.#clock()): void {
    if (this.#unsureSince === undefined || since < this.#unsureSince) this.#unsureSince = since
  }

  /** The owner caught up with everything written since {@link unsureSince}: trust the view. */
  markSure(): void {
    this.#unsureSince = undefined
  }

  /**
   * Drops revoked jtis whose `exp + leeway` is before `now`; returns how many went. Cost is
   * proportional to the entries removed plus the distinct expiry seconds held.
   */
  sweep(now: number = this.#clock()): number {
    this.#lastSweep = now
    const limit = now - this.#leeway
    let removed = 0
    for (const [second, jtis] of this.#expiries) {
      // Bucket `second` holds exps in [second, second + 1): nothing in it is due before `second`.
      if (second >= limit) continue
      const kept: string[] = []
      for (const jti of jtis) {
        const exp = this.#accessTokens.get(jti)
        if (exp === undefined || Math.floor(exp) !== second) continue
        if (exp < limit) {
          this.#accessTokens.delete(jti)
          removed++
        } else kept.push(jti)
      }
      if (kept.length === 0) this.#expiries.delete(second)
      else this.#expiries.set(second, kept)
    }
    return removed
  }

  #addAccessToken(jti: string, expiresAt: number): void {
    const known = this.#accessTokens.get(jti)
    if (known !== undefined && known >= expiresAt) return
    // Already dead to the verifier: nothing to remember.
    if (expiresAt + this.#leeway < this.#clock()) return
    this.#accessTokens.set(jti, expiresAt)
    const second = Math.floor(expiresAt)
    const bucket = this.#expiries.get(second)
    if (bucket === undefined) this.#expiries.set(second, [jti])
    else bucket.push(jti)
  }

  #raiseCutoff(userId: string, notBefore: number): void {
    const known = this.#cutoffs.get(userId)
    if (known === undefined || notBefore > known) this.#cutoffs.set(userId, notBefore)
  }

  #maybeSweep(): void {
    const now = this.#clock()
    if (now - this.#lastSweep >= this.#sweepInterval) this.sweep(now)
  }
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`${name} must be a finite number of seconds, 0 or more`)
  }
  return value
}
