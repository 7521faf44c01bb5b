import type { JsonWebKey } from 'node:crypto'
import { KeyError } from '../errors/config-errors.js'
import { isHmacAlgorithm } from './algorithms.js'
import type { SigningKey } from './signing-key.js'

/** A public key as published in a JWKS document (RFC 7517). */
export interface PublicJwk extends JsonWebKey {
  kid: string
  alg: string
  use: 'sig'
}

/** Options of {@link KeyRing}. */
export interface KeyRingOptions {
  /**
   * The kid of the key that verifies tokens without a `kid` header (such as tokens minted by a
   * simplejwt backend sharing `SIGNING_KEY`). Default: the current key. Only this key ever
   * verifies kid-less tokens.
   */
  defaultKid?: string
}

/** Module-private: only {@link KeyRing.forVerification} can ask for a ring that cannot sign. */
const VERIFY_ONLY = Symbol('verify-only')

type ConstructorOptions = KeyRingOptions & { readonly [VERIFY_ONLY]?: true }

/** Options of {@link KeyRing.forVerification}. */
export interface VerificationRingOptions {
  /**
   * The kid of the only key that verifies tokens without a `kid` header. Default: none, so a
   * kid-less token is refused (`token_key_unknown`).
   */
  defaultKid?: string
}

/**
 * The set of keys Tessera signs and verifies with: exactly one `current` key signs; current,
 * next and not-yet-expired retired keys verify. A token's `kid` is only ever a key into this
 * ring: it never reaches a file path, a query or a URL.
 *
 * Resource servers build a verify-only ring with {@link KeyRing.forVerification}: no key signs.
 */
export class KeyRing {
  readonly #byKid: Map<string, SigningKey>
  readonly #current: SigningKey | undefined
  readonly #default: SigningKey | undefined

  constructor(keys: readonly SigningKey[], options: KeyRingOptions = {}) {
    this.#byKid = new Map()
    for (const key of keys) {
      if (this.#byKid.has(key.kid)) throw new KeyError(`key ring: duplicate kid ${key.kid}`)
      this.#byKid.set(key.kid, key)
    }
    if ((options as ConstructorOptions)[VERIFY_ONLY] === true) {
      // forVerification(): no key signs; kid-less tokens only with an explicit default.
      this.#current = undefined
      this.#default =
        options.defaultKid === undefined ? undefined : this.#byKid.get(options.defaultKid)
      if (options.defaultKid !== undefined && this.#default === undefined)
        throw new KeyError(`key ring: default kid ${options.defaultKid} is not in the ring`)
      return
    }
    const current = keys.filter((key) => key.status === 'current')
    if (current.length !== 1 || current[0] === undefined) {
      throw new KeyError(`key ring: exactly one current key is required (found ${current.length})`)
    }
    if (current[0].signingKey === undefined) {
      throw new KeyError(`key ring: the current key ${current[0].kid} cannot sign (no private key)`)
    }
    this.#current = current[0]
    const fallback =
      options.defaultKid === undefined ? current[0] : this.#byKid.get(options.defaultKid)
    if (fallback === undefined)
      throw new KeyError(`key ring: default kid ${options.defaultKid} is not in the ring`)
    this.#default = fallback
  }

  /**
   * A verify-only ring (resource servers): every key verifies (retired ones until their
   * `verifyUntil`), none signs, so {@link current} throws. Kids must be unique; kid-less tokens
   * only verify with `defaultKid`.
   *
   * @example
   * const ring = KeyRing.forVerification(importJwks(document))
   * const verifier = new TokenVerifier({ keyRing: ring })
   */
  static forVerification(
    keys: readonly SigningKey[],
    options: VerificationRingOptions = {},
  ): KeyRing {
    const verifyOnly: ConstructorOptions = { ...options, [VERIFY_ONLY]: true }
    return new KeyRing(keys, verifyOnly)
  }

  /** Whether this ring can sign (false for {@link forVerification} rings). */
  get canSign(): boolean {
    return this.#current !== undefined
  }

  /** The key that signs new tokens; throws on a verify-only ring. */
  get current(): SigningKey {
    if (this.#current === undefined) throw new KeyError('key ring: a verify-only ring cannot sign')
    return this.#current
  }

  /** The key that verifies tokens without a `kid`; throws when the ring has none. */
  get defaultKey(): SigningKey {
    if (this.#default === undefined)
      throw new KeyError('key ring: no default key for kid-less tokens')
    return this.#default
  }

  /** Every key of the ring, in insertion order. */
  get keys(): readonly SigningKey[] {
    return [...this.#byKid.values()]
  }

  /**
   * The key that may verify a token with header `kid` (or without one) at `now` (epoch seconds),
   * or undefined when there is none: unknown kid, or a retired key past its `verifyUntil`.
   */
  verificationKey(kid: string | undefined, now: number): SigningKey | undefined {
    const key = kid === undefined ? this.#default : this.#byKid.get(kid)
    if (key === undefined) return undefined
    if (key.verifyUntil !== undefined && now > key.verifyUntil) return undefined
    return key
  }

  /**
   * The JWKS document (RFC 7517) of the public keys that may verify at `now`: current, next and
   * retired keys still inside their window. HMAC secrets are never published.
   */
  toJwks(now: number = Date.now() / 1000): { keys: PublicJwk[] } {
    const keys: PublicJwk[] = []
    for (const key of this.#byKid.values()) {
      if (isHmacAlgorithm(key.alg)) continue
      if (key.verifyUntil !== undefined && now > key.verifyUntil) continue
      const jwk = key.verifyingKey.export({ format: 'jwk' })
      keys.push({ ...jwk, kid: key.kid, alg: key.alg, use: 'sig' })
    }
    return { keys }
  }
}
