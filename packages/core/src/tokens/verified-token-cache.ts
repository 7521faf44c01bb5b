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

/** Characters at the end of a token (all signature) that make its map key. */
const KEY_CHARACTERS = 6

/**
 * The map key of a token: a small integer from its last characters, all signature. Signatures
 * tell tokens apart as well as the whole text does; an integer key costs the map no string to
 * hash or compare, and tokens sharing a key only evict each other (only an exact match is a
 * hit). Measured on the hot path: hashing the 250-character header value, or comparing a
 * 32-character key string, was a visible part of a cached request.
 */
function keyOf(token: string): number {
  let key = token.length
  for (let i = Math.max(0, token.length - KEY_CHARACTERS); i < token.length; i++) {
    key = (Math.imul(key, 31) + token.charCodeAt(i)) | 0
  }
  return key & 0x3fffffff
}

/**
 * A flat copy of `text`. A token taken from a header is a slice of the header's string; the
 * entry keeps its own contiguous copy, so the exact comparison of a hit reads one string instead
 * of a slice and its parent (and does not keep the whole header alive).
 */
function flatCopy(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1')
}

/**
 * Tokens the verifier has fully verified, found by their exact text, so a token presented again
 * skips the HMAC or signature and the JSON parsing (measured: the larger part of verify's
 * cost). Verification is a pure function of the bytes, the ring and the settings except for
 * time and revocation, which every hit re-checks; a hit also needs the ring to still return the
 * same key for the kid (so a key leaving its verify window ends its tokens' hits), and
 * `TokenVerifier.useKeyRing` empties the cache. Only successes are stored, so garbage cannot
 * fill it; at `maxEntries` the oldest entry goes (insertion order).
 */
export class VerifiedTokenCache {
  readonly #entries = new Map<number, CachedVerification & { readonly text: string }>()
  readonly #maxEntries: number

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new TypeError('VerifiedTokenCache: maxEntries must be a whole number >= 1')
    }
    this.#maxEntries = maxEntries
  }

  get(token: string): CachedVerification | undefined {
    // verify() is handed whatever a caller had: a non-string is never a hit.
    if (typeof token !== 'string') return undefined
    const entry = this.#entries.get(keyOf(token))
    // Another token ending alike (a forged one reusing a genuine signature) is a miss.
    return entry !== undefined && entry.text === token ? entry : undefined
  }

  /** Stores a verification; the token's claims are frozen, as every hit shares them. */
  set(
    token: string,
    entry: Omit<CachedVerification, 'result'>,
  ): { readonly ok: true; readonly token: VerifiedToken } {
    deepFreeze(entry.token.claims)
    const result = Object.freeze({ ok: true as const, token: Object.freeze(entry.token) })
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next().value as number
      this.#entries.delete(oldest)
    }
    const key = keyOf(token)
    // Re-inserted at the end: the oldest-first eviction stays insertion order.
    this.#entries.delete(key)
    // Every member spelled out, in one order: all entries share one hidden class, so the reads
    // of a hit stay monomorphic. A spread (`{ ...entry }`) gave entries differing, some
    // dictionary-mode, shapes: every hit then missed V8's property caches (measured: ~8% of the
    // instructions of a cached hello request).
    this.#entries.set(key, {
      headerKid: entry.headerKid,
      key: entry.key,
      notBefore: entry.notBefore,
      token: entry.token,
      result,
      text: flatCopy(token),
    })
    return result
  }

  delete(token: string): void {
    const key = keyOf(token)
    if (this.#entries.get(key)?.text === token) this.#entries.delete(key)
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
