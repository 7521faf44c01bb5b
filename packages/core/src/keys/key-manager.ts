import type { JsonWebKey } from 'node:crypto'
import { KeyError } from '../errors/config-errors.js'
import type { KeyStore, StoredKey, StoredPublicJwk } from '../stores/key-store.js'
import { byKeyAge } from '../stores/store-input.js'
import type { AsymmetricAlgorithm } from './algorithms.js'
import { generateSigningKey, importAsymmetricKey } from './import-key.js'
import {
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
  type KeyEncryptionKey,
} from './key-encryption.js'
import type { KeyStatus, SigningKey } from './signing-key.js'

/** Options of {@link KeyManager}. */
export interface KeyManagerOptions {
  /** Where the keys live (`stores.keys`), shared by every instance. */
  readonly store: KeyStore
  /**
   * Encrypts new private keys at rest (`KeyEncryptionKey.parse(settings.KEY_ENCRYPTION_KEY)`).
   * Without it keys are stored as plain PKCS#8 PEM. Plain keys still load when it is set.
   */
  readonly encryptionKey?: KeyEncryptionKey | undefined
  /** Epoch seconds; default the system clock. Fractions are dropped. */
  readonly clock?: () => number
  /**
   * Seconds a retired key keeps verifying: the longest token lifetime plus the verifiers'
   * leeway (the refresh lifetime when refresh tokens are signed with these keys).
   */
  readonly retention: number
}

/** A key as the CLI lists it: no private or public key material. */
export interface KeySummary {
  readonly kid: string
  readonly alg: AsymmetricAlgorithm
  readonly status: KeyStatus
  /** Epoch seconds: when the key was generated (and published, for a `next` key). */
  readonly createdAt: number
  readonly activatedAt: number | null
  readonly retiredAt: number | null
  readonly verifyUntil: number | null
  /** True when the private key is stored encrypted with a key-encryption key. */
  readonly encrypted: boolean
}

/** What {@link KeyManager.rotate} did. */
export interface RotationResult {
  /** The key that signs from now on. */
  readonly current: KeySummary
  /** The previous current key, now verifying until its `verifyUntil`; none on a first rotation. */
  readonly retired: KeySummary | undefined
  /** The key published for the rotation after this one. */
  readonly next: KeySummary
}

/** Options of {@link KeyManager.rotateIfDue}. */
export interface RotateIfDueOptions {
  /** Seconds a key signs before it is rotated out. */
  readonly interval: number
  /**
   * Seconds a `next` key must have been published (in JWKS) before it may sign, so that
   * verifiers caching the JWKS know it: at least their cache lifetime.
   */
  readonly prePublish: number
  /** Algorithm of a `next` key generated when none exists; default that of the current key. */
  readonly alg?: AsymmetricAlgorithm
}

const ASYMMETRIC: readonly string[] = ['RS256', 'ES256', 'EdDSA']
const PUBLIC_MEMBERS = ['kty', 'crv', 'x', 'y', 'n', 'e'] as const

function checkSeconds(value: unknown, name: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) {
    throw new TypeError(`${name} must be a non-negative integer number of seconds`)
  }
  return value as number
}

function checkAlgorithm(alg: unknown): AsymmetricAlgorithm {
  if (typeof alg !== 'string' || !ASYMMETRIC.includes(alg)) {
    throw new TypeError(
      `alg must be RS256, ES256 or EdDSA (HMAC keys come from SIGNING_KEY), got ${String(alg)}`,
    )
  }
  return alg as AsymmetricAlgorithm
}

function publicMembers(jwk: JsonWebKey): StoredPublicJwk {
  const result: Record<string, string> = {}
  for (const name of PUBLIC_MEMBERS) {
    const value = jwk[name]
    if (typeof value === 'string') result[name] = value
  }
  return result
}

function toSummary(key: StoredKey): KeySummary {
  const { kid, alg, status, createdAt, activatedAt, retiredAt, verifyUntil } = key
  const encrypted = isEncryptedPrivateKey(key.privateKey)
  return { kid, alg, status, createdAt, activatedAt, retiredAt, verifyUntil, encrypted }
}

function oldestNext(keys: readonly StoredKey[], alg?: AsymmetricAlgorithm): StoredKey | undefined {
  return keys
    .filter((key) => key.status === 'next' && (alg === undefined || key.alg === alg))
    .sort(byKeyAge)[0]
}

/**
 * The life cycle of the asymmetric signing keys in a {@link KeyStore}: generation, first start,
 * rotation with pre-publication, retirement and pruning. Every decision that several instances
 * might take at once rests on the store's conditional writes (`insertFirstCurrent`,
 * `insertFirstNext`, `rotate`), so running it from many instances is safe. Build the ring with
 * `new KeyRing(await manager.loadSigningKeys())`, and reload when `version()` changes.
 *
 * Timeline of one key: generated as `next` (published in JWKS, never signs) -> `current` at a
 * rotation (signs) -> `retired` at the following rotation (verifies until `retiredAt +
 * retention`) -> excluded, then deleted by {@link prune}.
 *
 * @example
 * const keys = new KeyManager({ store: stores.keys, retention: refreshLifetime + leeway })
 * await keys.ensureCurrent('EdDSA')
 * const ring = new KeyRing(await keys.loadSigningKeys())
 */
export class KeyManager {
  readonly #store: KeyStore
  readonly #kek: KeyEncryptionKey | undefined
  readonly #clock: () => number
  readonly #retention: number

  constructor(options: KeyManagerOptions) {
    this.#store = options.store
    this.#kek = options.encryptionKey
    this.#clock = options.clock ?? (() => Date.now() / 1000)
    this.#retention = checkSeconds(options.retention, 'retention')
  }

  #now(): number {
    return Math.floor(this.#clock())
  }

  /** A fresh key pair as a record, its private key encrypted when a KEK is configured. */
  #newKey(alg: AsymmetricAlgorithm, now: number, status: 'next' | 'current'): StoredKey {
    const key = generateSigningKey(alg)
    const pem = key.signingKey?.export({ format: 'pem', type: 'pkcs8' })
    if (typeof pem !== 'string') throw new KeyError(`${alg}: the generated key has no private key`)
    return {
      kid: key.kid,
      alg,
      status,
      publicJwk: publicMembers(key.verifyingKey.export({ format: 'jwk' })),
      privateKey: this.#kek === undefined ? pem : encryptPrivateKey(pem, key.kid, this.#kek),
      createdAt: now,
      activatedAt: status === 'current' ? now : null,
      retiredAt: null,
      verifyUntil: null,
    }
  }

  /** Every key, oldest first, without key material (for a CLI table). */
  async list(): Promise<KeySummary[]> {
    return (await this.#store.list()).map(toSummary)
  }

  /** The store's change marker: reload the ring when it differs from the last one seen. */
  version(): Promise<string> {
    return this.#store.version()
  }

  /**
   * Makes sure a key is current, at start-up: returns the current key if there is one;
   * otherwise promotes the oldest `next` key, or generates an `alg` key and stores it as current
   * unless another instance got there first (then returns theirs). `alg` only matters when a
   * key is generated: an existing current key of another algorithm is kept.
   */
  async ensureCurrent(alg: AsymmetricAlgorithm): Promise<KeySummary> {
    checkAlgorithm(alg)
    // Each round either finds a current key or loses a race to someone who stored one.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const keys = await this.#store.list()
      const current = keys.find((key) => key.status === 'current')
      if (current !== undefined) return toSummary(current)
      const now = this.#now()
      const next = oldestNext(keys)
      if (next !== undefined) {
        await this.#store.rotate({
          expectedCurrentKid: null,
          nextKid: next.kid,
          at: now,
          verifyUntil: now,
        })
        continue
      }
      const created = this.#newKey(alg, now, 'current')
      if (await this.#store.insertFirstCurrent(created)) return toSummary(created)
    }
    throw new KeyError('no current signing key could be settled (the key ring keeps changing)')
  }

  /** Generates an `alg` key pair and stores it as `next`: published, signing from a later rotation. */
  async generate(alg: AsymmetricAlgorithm): Promise<KeySummary> {
    const created = this.#newKey(checkAlgorithm(alg), this.#now(), 'next')
    await this.#store.insert(created)
    return toSummary(created)
  }

  /**
   * Rotates now: the oldest `next` key (of `alg`, when given) becomes current, generated first
   * if there is none; the current key retires, verifying for `retention` seconds. Then, if no
   * `next` key is left, one is generated, so that the key of the following rotation is published
   * a whole rotation ahead. Throws a {@link KeyError} when another instance changed the ring
   * during this call (nothing was rotated by it), or when there is no key and no `alg`.
   */
  async rotate(options: { alg?: AsymmetricAlgorithm } = {}): Promise<RotationResult> {
    const alg = options.alg === undefined ? undefined : checkAlgorithm(options.alg)
    const keys = await this.#store.list()
    const current = keys.find((key) => key.status === 'current')
    let next = oldestNext(keys, alg)
    if (next === undefined) {
      const nextAlg = alg ?? current?.alg
      if (nextAlg === undefined) throw new KeyError('no signing key to rotate: give alg')
      next = this.#newKey(nextAlg, this.#now(), 'next')
      await this.#store.insert(next)
    }
    return this.#promote(current, next)
  }

  /** Promotes `next` over `current` (which the caller saw), then tops up the `next` keys. */
  async #promote(current: StoredKey | undefined, next: StoredKey): Promise<RotationResult> {
    const now = this.#now()
    const rotated = await this.#store.rotate({
      expectedCurrentKid: current?.kid ?? null,
      nextKid: next.kid,
      at: now,
      verifyUntil: now + this.#retention,
    })
    if (!rotated) {
      throw new KeyError('the key ring changed during rotation (another instance rotated first)')
    }
    const upcoming = await this.#ensureNext(next.alg)
    const keys = await this.#store.list()
    const find = (kid: string | undefined) => keys.find((key) => key.kid === kid)
    const promoted = find(next.kid)
    if (promoted === undefined) throw new KeyError(`key ${next.kid} vanished during rotation`)
    const retired = find(current?.kid)
    return {
      current: toSummary(promoted),
      retired: retired && toSummary(retired),
      next: upcoming,
    }
  }

  /** The oldest `next` key, generated (of `alg`) if there is none. */
  async #ensureNext(alg: AsymmetricAlgorithm): Promise<KeySummary> {
    return toSummary(await this.#oldestNextOrNew(alg))
  }

  /**
   * The oldest `next` key; when there is none, an `alg` key stored as `next` unless another
   * instance stored one first (then theirs): instances topping up at the same tick add one key.
   */
  async #oldestNextOrNew(
    alg: AsymmetricAlgorithm,
    keys?: readonly StoredKey[],
  ): Promise<StoredKey> {
    let listed = keys ?? (await this.#store.list())
    // Each round either finds a next key or loses a race to someone who stored one.
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const existing = oldestNext(listed)
      if (existing !== undefined) return existing
      const created = this.#newKey(alg, this.#now(), 'next')
      if (await this.#store.insertFirstNext(created)) return created
      listed = await this.#store.list()
    }
    throw new KeyError('no next signing key could be settled (the key ring keeps changing)')
  }

  /**
   * Rotates when it is due, for a timer running in every instance: when the current key has
   * signed for `interval` seconds (`activatedAt + interval <= now`) and the oldest `next` key was
   * published at least `prePublish` seconds ago. Generates a `next` key when there is none (it
   * becomes eligible `prePublish` seconds later; one for the ring, however many instances find
   * none at once). Of many instances calling at once, exactly one rotates (the store's
   * conditional rotate); the others get false. True when this call rotated. Does nothing without
   * a current key ({@link ensureCurrent} is for start-up).
   */
  async rotateIfDue(options: RotateIfDueOptions): Promise<boolean> {
    const interval = checkSeconds(options.interval, 'interval')
    const prePublish = checkSeconds(options.prePublish, 'prePublish')
    const keys = await this.#store.list()
    const current = keys.find((key) => key.status === 'current')
    if (current === undefined) return false
    const next = await this.#oldestNextOrNew(options.alg ?? current.alg, keys)
    const now = this.#now()
    const activatedAt = current.activatedAt ?? current.createdAt
    if (activatedAt + interval > now || next.createdAt + prePublish > now) return false
    const rotated = await this.#store.rotate({
      expectedCurrentKid: current.kid,
      nextKid: next.kid,
      at: now,
      verifyUntil: now + this.#retention,
    })
    if (rotated) await this.#ensureNext(next.alg)
    return rotated
  }

  /**
   * Retires key `kid`. A `next` key never signed, so it stops verifying at once (`verifyUntil =
   * now`). The current key is retired by promoting the oldest `next` key in the same step (a
   * rotation, `verifyUntil = now + retention`); without a `next` key it is refused, so the ring
   * never loses its signing key. Throws a {@link KeyError} for an unknown or retired kid.
   */
  async retire(kid: string): Promise<KeySummary> {
    const keys = await this.#store.list()
    const key = keys.find((each) => each.kid === kid)
    if (key === undefined) throw new KeyError(`no signing key with kid ${kid}`)
    if (key.status === 'retired') throw new KeyError(`key ${kid} is already retired`)
    if (key.status === 'current') {
      const next = oldestNext(keys)
      if (next === undefined) {
        throw new KeyError(
          `key ${kid} is the current key and no next key exists: generate one (or rotate) first`,
        )
      }
      const result = await this.#promote(key, next)
      if (result.retired === undefined) throw new KeyError(`key ${kid} vanished during rotation`)
      return result.retired
    }
    const now = this.#now()
    if (!(await this.#store.retire(kid, now, now))) {
      throw new KeyError(`key ${kid} changed while being retired (another instance rotated)`)
    }
    const retired = (await this.#store.list()).find((each) => each.kid === kid)
    if (retired === undefined) throw new KeyError(`key ${kid} vanished while being retired`)
    return toSummary(retired)
  }

  /** Deletes retired keys past their `verifyUntil`; returns how many. */
  prune(): Promise<number> {
    return this.#store.deleteExpired(this.#now())
  }

  /**
   * The keys for `new KeyRing(...)`: the current key with its private key, `next` keys and
   * retired keys still inside `verifyUntil` as verify-only keys (only the current key's private
   * key is decrypted: the others never sign here). Retired keys past `verifyUntil` are left out.
   * Throws a {@link KeyError} (`KeyDecryptionError`) when the current key cannot be decrypted.
   */
  async loadSigningKeys(): Promise<SigningKey[]> {
    return this.#load(true)
  }

  /**
   * The same keys as {@link loadSigningKeys}, every one verify-only, for
   * `KeyRing.forVerification(...)`: no private key is read, so no KEK is needed (a CLI that
   * checks a token's signature).
   */
  async loadVerifyingKeys(): Promise<SigningKey[]> {
    return this.#load(false)
  }

  async #load(withSigningKey: boolean): Promise<SigningKey[]> {
    const now = this.#now()
    const loaded: SigningKey[] = []
    for (const key of await this.#store.list()) {
      if (key.verifyUntil !== null && now > key.verifyUntil) continue
      const publicKey = { ...key.publicJwk } as JsonWebKey
      const common = {
        kid: key.kid,
        status: key.status,
        publicKey,
        ...(key.verifyUntil === null ? {} : { verifyUntil: key.verifyUntil }),
      }
      loaded.push(
        withSigningKey && key.status === 'current'
          ? importAsymmetricKey(key.alg, {
              ...common,
              privateKey: decryptPrivateKey(key.privateKey, key.kid, this.#kek),
            })
          : importAsymmetricKey(key.alg, common),
      )
    }
    return loaded
  }

  /**
   * Encrypts with the configured KEK the private keys stored as plain PEM (after a KEK was
   * introduced); returns how many it encrypted. Safe from several instances at once: each key is
   * replaced only if it is still the plain PEM that was read.
   */
  async encryptStoredKeys(): Promise<number> {
    const kek = this.#kek
    if (kek === undefined) throw new KeyError('encryptStoredKeys needs KEY_ENCRYPTION_KEY')
    let count = 0
    for (const key of await this.#store.list()) {
      if (isEncryptedPrivateKey(key.privateKey)) continue
      const sealed = encryptPrivateKey(key.privateKey, key.kid, kek)
      if (await this.#store.replacePrivateKey(key.kid, key.privateKey, sealed)) count += 1
    }
    return count
  }
}
