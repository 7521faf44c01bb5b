import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import type { KeyStatus } from '../keys/signing-key.js'

/** A public JWK as stored: only the public members (`kty`, `crv`, `x`, `y`, `n`, `e`). */
export type StoredPublicJwk = Readonly<Record<string, string>>

/**
 * An asymmetric signing key as stored. Times are integer epoch seconds; the store never reads a
 * clock, callers pass theirs.
 */
export interface StoredKey {
  /** Key id (the RFC 7638 thumbprint for generated keys); the primary key. */
  readonly kid: string
  readonly alg: AsymmetricAlgorithm
  readonly status: KeyStatus
  /** The public half, published as JWKS; public members only. */
  readonly publicJwk: StoredPublicJwk
  /**
   * The private half: a PKCS#8 PEM, or a `tessera-kek-v1.` envelope when a key-encryption key
   * is configured. Opaque to the store.
   */
  readonly privateKey: string
  readonly createdAt: number
  /** When the key became current; null while `next`. */
  readonly activatedAt: number | null
  /** When the key was retired; null until then. */
  readonly retiredAt: number | null
  /** Retired keys only: the key no longer verifies after this time. Null otherwise. */
  readonly verifyUntil: number | null
}

/** Input of {@link KeyStore.rotate}. */
export interface KeyRotation {
  /** The kid the caller saw as current, or null for "there is no current key". */
  readonly expectedCurrentKid: string | null
  /** The `next` key to promote. */
  readonly nextKid: string
  /** Epoch seconds: the promoted key's `activatedAt`, the retired key's `retiredAt`. */
  readonly at: number
  /** Epoch seconds: the retired key's `verifyUntil`. */
  readonly verifyUntil: number
}

/** Thrown by {@link KeyStore.insert} when the kid exists already. The kid is public: it is named. */
export class KeyExistsError extends Error {
  readonly kid: string

  constructor(kid: string) {
    super(`a signing key with kid ${kid} already exists`)
    this.name = 'KeyExistsError'
    this.kid = kid
  }
}

/**
 * The asymmetric signing keys shared by every instance.
 *
 * Invariant: at most one key is `current` (a unique index on SQL backends). Atomicity: every
 * write is one transaction that first bumps the change counter (a row lock on PostgreSQL,
 * BEGIN IMMEDIATE on SQLite), so key writes are serialized across connections and processes;
 * a write that changes nothing rolls back and leaves {@link version} as it was.
 */
export interface KeyStore {
  /** Every key, ordered by `createdAt`, ties by kid (UTF-16 code units). */
  list(): Promise<StoredKey[]>
  /**
   * Stores a `next` or `retired` key. Throws {@link KeyExistsError} when the kid exists, and a
   * RangeError for a `current` key (use {@link insertFirstCurrent} or {@link rotate}) or times
   * that are not integers fitting the status (`activatedAt` null on `next`, `verifyUntil` set
   * on `retired`...).
   */
  insert(key: StoredKey): Promise<void>
  /**
   * Stores `key` (status `current`) only if no key is current; true if it did. Of N concurrent
   * callers (instances starting together on an empty database) exactly one gets true. A kid that
   * exists already throws {@link KeyExistsError}.
   */
  insertFirstCurrent(key: StoredKey): Promise<boolean>
  /**
   * Stores `key` (status `next`) only if no key is `next`; true if it did. Of N concurrent
   * callers (instances topping up the ring at the same tick) exactly one gets true, so the ring
   * gains one next key, not one per instance. A kid that exists already throws
   * {@link KeyExistsError}.
   */
  insertFirstNext(key: StoredKey): Promise<boolean>
  /**
   * In one transaction, if `expectedCurrentKid` is still current (or, when null, no key is) and
   * `nextKid` is `next`: retires the current key (`retiredAt = at`, `verifyUntil`) and makes
   * `nextKid` current (`activatedAt = at`). True if it happened; false, changing nothing, when
   * another caller rotated first or `nextKid` is not a `next` key. Of N concurrent rotations
   * with the same expectation exactly one returns true.
   */
  rotate(rotation: KeyRotation): Promise<boolean>
  /**
   * Retires the `next` key `kid` (`retiredAt = at`, `verifyUntil`); true if it did. False for an
   * unknown or retired kid and for the current key: the current key only leaves through
   * {@link rotate}, which promotes its successor in the same step, so the ring never loses its
   * signing key.
   */
  retire(kid: string, at: number, verifyUntil: number): Promise<boolean>
  /**
   * Replaces the private key of `kid` if it still is `from` (compare-and-set, for re-encryption
   * by several instances at once); true if it did.
   */
  replacePrivateKey(kid: string, from: string, to: string): Promise<boolean>
  /** Deletes retired keys whose `verifyUntil` is before `now` (strictly); returns how many. */
  deleteExpired(now: number): Promise<number>
  /**
   * A change marker, cheap to poll: an opaque string that differs after every write that changed
   * a key. Compare for equality only.
   */
  version(): Promise<string>
}
