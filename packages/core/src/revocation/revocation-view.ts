import type { LiveRevocations, RevocationStore } from '../stores/revocation-store.js'
import type { RevocationCheck } from '../tokens/revocation-check.js'
import { type Clock, systemClock, type VerifiedToken } from '../tokens/token-types.js'
import { isCutOff } from './cutoff-rule.js'
import { ExpiringIds } from './expiring-ids.js'
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
   * The verifier's leeway past `exp` (default 0): a revoked jti or session is kept until its
   * `expiresAt + leeway`, as long as the verifier could still accept a token it covers.
   */
  readonly leewaySeconds?: number
  /** Least time between two sweeps triggered by writes (default 60). */
  readonly sweepIntervalSeconds?: number
}

/** Sizes of a view, for metrics. */
export interface RevocationViewSize {
  readonly accessTokens: number
  readonly sessions: number
  readonly cutoffs: number
}

/**
 * The in-memory revocation state of one process: step 4 of the hot path. `isRevoked` is O(1),
 * synchronous and allocation-free: at most three Map lookups (and a clock read while the bus is
 * down). A token is refused when
 * - its jti is revoked (a logout's access token), kept until its `exp` (+ leeway);
 * - its session (`sid`) is revoked (a logout, a revoked device, a refresh-token reuse, a logout
 *   everywhere), kept until the last token the session minted expires (+ leeway);
 * - it was issued before its user's cut-off (`tokens_valid_after`: logout everywhere, password
 *   change, deactivation), by {@link isCutOff}: the sessions revoked with a cut-off cover its
 *   own second, so a login right after a logout everywhere is accepted at once, with no wait.
 * Cut-offs only move forward. Memory is bounded by revocation rate x (token lifetime + leeway +
 * sweep interval), plus one entry per user with a cut-off.
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
  /** Revoked access-token jtis, until their `exp`. */
  readonly #accessTokens = new ExpiringIds()
  /** Revoked session ids, until the last token of the session expires. */
  readonly #sessions = new ExpiringIds()
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
   * True when the token must be refused: revoked jti or session, cut off, or the view cannot
   * vouch. A
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
    const sessionId = token.sessionId
    if (sessionId !== undefined && this.#sessions.has(sessionId)) return true
    if (token.userId === undefined) return false
    const notBefore = this.#cutoffs.get(token.userId)
    return notBefore !== undefined && isCutOff(token, notBefore)
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

  /** How many revoked jtis, revoked sessions and cut-offs the view holds. */
  get size(): RevocationViewSize {
    return {
      accessTokens: this.#accessTokens.size,
      sessions: this.#sessions.size,
      cutoffs: this.#cutoffs.size,
    }
  }

  /** Reads every live revocation from the store, merges it in, and marks the view sure. */
  async load(store: Pick<RevocationStore, 'loadLive'>, now: number = this.#clock()): Promise<void> {
    this.merge(await store.loadLive(now))
    this.markSure()
  }

  /** Merges what a store read returned (idempotent; never removes anything). */
  merge(live: LiveRevocations): void {
    for (const entry of live.accessTokens)
      this.#remember(this.#accessTokens, entry.jti, entry.expiresAt)
    for (const entry of live.sessions) {
      this.#remember(this.#sessions, entry.sessionId, entry.expiresAt)
    }
    for (const cutoff of live.cutoffs) this.#raiseCutoff(cutoff.userId, cutoff.notBefore)
    this.#maybeSweep()
  }

  /** Applies one bus event (idempotent; cut-offs only move forward). Others are ignored. */
  apply(event: RevocationEvent): void {
    switch (event.kind) {
      case 'access':
        this.#remember(this.#accessTokens, event.jti, event.expiresAt)
        break
      case 'sessions':
        for (const id of event.sessionIds) this.#remember(this.#sessions, id, event.expiresAt)
        break
      case 'cutoff':
        this.#raiseCutoff(event.userId, event.notBefore)
        break
      default:
        return
    }
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
   * Drops revoked jtis and sessions whose `expiresAt + leeway` is before `now`; returns how many
   * went. Cost is proportional to the entries removed plus the distinct expiry seconds held.
   */
  sweep(now: number = this.#clock()): number {
    this.#lastSweep = now
    const limit = now - this.#leeway
    return this.#accessTokens.sweep(limit) + this.#sessions.sweep(limit)
  }

  #remember(ids: ExpiringIds, id: string, expiresAt: number): void {
    // Already dead to the verifier: nothing to remember.
    if (expiresAt + this.#leeway < this.#clock()) return
    ids.add(id, expiresAt)
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
