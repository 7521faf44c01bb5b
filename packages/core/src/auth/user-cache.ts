import type { UserRecord, UserStore } from '../stores/user-store.js'
import { type Clock, systemClock } from '../tokens/token-types.js'

/** Options of {@link UserCache}. */
export interface UserCacheOptions {
  /** Seconds an entry (a user, or the fact that there is none) stays fresh. Default 5. */
  readonly ttlSeconds?: number
  /** Entries kept at most; the oldest go first. Default 10,000. */
  readonly maxEntries?: number
  /** Epoch-seconds clock. */
  readonly clock?: Clock
}

interface Entry {
  readonly user: UserRecord | null
  readonly freshUntil: number
}

/**
 * A small cache of user rows in front of the store, so authenticated requests check that their
 * user exists and is active without a database round trip. Writers call {@link invalidate}
 * (the revocation bus does it for other processes); the TTL bounds staleness otherwise.
 */
export class UserCache {
  readonly #store: UserStore
  readonly #ttl: number
  readonly #max: number
  readonly #clock: Clock
  readonly #entries = new Map<string, Entry>()

  constructor(store: UserStore, options: UserCacheOptions = {}) {
    this.#store = store
    this.#ttl = options.ttlSeconds ?? 5
    this.#max = options.maxEntries ?? 10_000
    this.#clock = options.clock ?? systemClock
  }

  /**
   * Synchronous look-up: the user, `null` when known not to exist, or `undefined` when the
   * cache cannot say (then call {@link load}).
   */
  peek(id: string): UserRecord | null | undefined {
    const entry = this.#entries.get(id)
    if (entry === undefined) return undefined
    if (entry.freshUntil < this.#clock()) {
      this.#entries.delete(id)
      return undefined
    }
    return entry.user
  }

  /** Reads the user from the store and caches the answer. */
  async load(id: string): Promise<UserRecord | undefined> {
    const user = await this.#store.findUserById(id)
    this.set(id, user)
    return user
  }

  /** Stores a known answer (after a write, for instance). */
  set(id: string, user: UserRecord | undefined): void {
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value
      if (oldest !== undefined) this.#entries.delete(oldest)
    }
    this.#entries.delete(id)
    this.#entries.set(id, { user: user ?? null, freshUntil: this.#clock() + this.#ttl })
  }

  /** Forgets a user, so the next request reads it again. */
  invalidate(id: string): void {
    this.#entries.delete(id)
  }
}
