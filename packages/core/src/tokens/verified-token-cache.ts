import type { SigningKey } from '../keys/signing-key.js'
import type { VerifiedToken } from './token-types.js'

/** What a cache hit still has to re-check: time, the key's validity, the type, revocation. */
export interface CachedVerification {
  /** The header's kid as sent (undefined: the ring's default key). */
  readonly headerKid: string | undefined
  /** The key that verified the signature; a hit is valid only while the ring returns it. */
  readonly key: SigningKey
  /** The later of `nbf` and `iat` (-Infinity when neither): not valid before it (with leeway). */
  readonly notBefore: number
  readonly token: VerifiedToken
  /** The success result, shared by every hit: no allocation per request. */
  readonly result: { readonly ok: true; readonly token: VerifiedToken }
}

/**
 * Tokens the verifier has fully verified, keyed by their exact text, so a token presented again
 * skips the HMAC or signature and the JSON parsing (measured: the larger part of verify's
 * cost). Verification is a pure function of the bytes, the ring and the settings except for
 * time and revocation, which every hit re-checks; a hit also needs the ring to still return the
 * same key for the kid (so a key leaving its verify window ends its tokens' hits), and
 * `TokenVerifier.useKeyRing` empties the cache. Only successes are stored, so garbage cannot
 * fill it; at `maxEntries` the oldest entry goes (insertion order).
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<string, CachedVerification>()
  readonly #maxEntries: number

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('VerifiedTokenCache: maxEntries must be a whole number >= 1')
    }
    this.#maxEntries = maxEntries
  }

  get(token: string): CachedVerification | undefined {
    return this.#entries.get(token)
  }

  /** Stores a verification; the token's claims are frozen, as every hit shares them. */
  set(
    token: string,
    entry: Omit<CachedVerification, 'result'>,
  ): { readonly ok: true; readonly token: VerifiedToken } {
    deepFreeze(entry.token.claims)
    const result = Object.freeze({ ok: true as const, token: Object.freeze(entry.token) })
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as string
      this.#entries.delete(oldest)
    }
    this.#entries.set(token, { ...entry, result })
    return result
  }

  delete(token: string): void {
    this.#entries.delete(token)
  }

  clear(): void {
    this.#entries.clear()
  }

  get size(): number {
    return this.#entries.size
  }
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return
  Object.freeze(value)
  for (const member of Object.values(value)) deepFreeze(member)
}
