import { randomBytes } from 'node:crypto'
import { availableParallelism } from 'node:os'
import type { Algorithm, Version } from '@node-rs/argon2'
import { ConcurrencyLimiter } from './concurrency-limiter.js'
import {
  type DjangoHash,
  type DjangoHashFormat,
  HASH_PARAMETER_LIMITS,
  parseDjangoHash,
} from './django-hash-format.js'
import { verifyDjangoHash } from './django-hash-verifiers.js'
import { HashThreads } from './hash-threads.js'
import { PasswordHasherBusyError, PasswordTooLongError } from './password-errors.js'
import { isPasswordTooLong } from './password-limits.js'

// @node-rs/argon2 declares these as ambient const enums, which isolatedModules cannot read.
const ARGON2ID = 2 as Algorithm
const VERSION_0X13 = 1 as Version

/** argon2id cost parameters for new hashes (RFC 9106; OWASP's m=19 MiB, t=2, p=1 by default). */
export interface Argon2Options {
  /** Memory in KiB. Default 19456 (19 MiB). */
  memoryCost?: number
  /** Passes over memory. Default 2. */
  timeCost?: number
  /** Lanes. Default 1. */
  parallelism?: number
}

/** What `PasswordHasher.verify()` ran: a stored format, or the dummy hash of a failed lookup. */
export type PasswordVerifyFormat = DjangoHashFormat | 'dummy'

/** Options of {@link PasswordHasher}. */
export interface PasswordHasherOptions {
  /** Parameters of new argon2id hashes, and of the dummy hash. */
  argon2?: Argon2Options
  /**
   * Hash or verify jobs running at once, each on a hashing thread of its own (at the lowest CPU
   * priority). Default `os.availableParallelism()`.
   */
  maxConcurrent?: number
  /**
   * Jobs waiting in FIFO order for a slot (each thread holds the first of them, to start it
   * without waiting for the event loop); beyond it, calls wait up to `maxWaitMs` for a place,
   * then reject. Default `4 * maxConcurrent`.
   */
  maxQueue?: number
  /**
   * How long a call finding every slot and queue place taken waits for one before it is refused,
   * in ms (0 to 60000; 0 refuses at once). Default 1000: the `Retry-After` a refused caller is
   * told to wait anyway.
   */
  maxWaitMs?: number
  /**
   * Called once per verify computation with what it ran (`'argon2id'`, `'pbkdf2_sha256'`,
   * `'dummy'`...), to count verifies in tests and metrics without timing them. Must not throw.
   */
  onVerify?: (format: PasswordVerifyFormat) => void
  /**
   * Called as each verify or hash starts, with the seconds it waited for a slot (metrics: the
   * hashing queue's wait). Must not throw.
   */
  onQueueWait?: (seconds: number) => void
}

/** Outcome of {@link PasswordHasher.verify}. */
export interface PasswordVerifyResult {
  /** The password matches the stored hash. */
  readonly ok: boolean
  /**
   * The password matched but the hash is not argon2id at the configured parameters: store
   * `await hasher.hash(password)` now, while the plaintext is at hand.
   */
  readonly needsRehash: boolean
}

/**
 * Hashes new passwords with argon2id and verifies stored hashes in Django's encodings, so Tessera
 * and a Django app can share one user table. Every call runs off the event loop under a bounded
 * queue; a call finding it full waits up to `maxWaitMs` for room, then rejects with
 * {@link PasswordHasherBusyError}.
 *
 * @example
 * ```ts
 * const hasher = new PasswordHasher()
 * const { ok, needsRehash } = await hasher.verify(password, user?.password ?? null)
 * if (ok && needsRehash) await users.setPassword(user.id, await hasher.hash(password))
 * ```
 */
export class PasswordHasher {
  readonly #argon2: Required<Argon2Options>
  readonly #limiter: ConcurrencyLimiter
  readonly #threads: HashThreads
  readonly #onVerify: ((format: PasswordVerifyFormat) => void) | undefined
  #dummyHash: Promise<string> | undefined
  readonly #onQueueWait: ((seconds: number) => void) | undefined

  constructor(options: PasswordHasherOptions = {}) {
    const argon2 = options.argon2 ?? {}
    const limits = HASH_PARAMETER_LIMITS
    const parallelism = readInteger(
      'argon2.parallelism',
      argon2.parallelism,
      1,
      1,
      limits.argon2Parallelism,
    )
    this.#argon2 = {
      parallelism,
      timeCost: readInteger('argon2.timeCost', argon2.timeCost, 2, 1, limits.argon2TimeCost),
      // argon2 needs 8 KiB per lane; the upper bound keeps our own hashes verifiable by us.
      memoryCost: readInteger(
        'argon2.memoryCost',
        argon2.memoryCost,
        19456,
        8 * parallelism,
        limits.argon2MemoryCost,
      ),
    }
    const maxConcurrent = readInteger(
      'maxConcurrent',
      options.maxConcurrent,
      availableParallelism(),
      1,
      1024,
    )
    const maxQueue = readInteger('maxQueue', options.maxQueue, 4 * maxConcurrent, 0, 1_000_000)
    if (options.onVerify !== undefined && typeof options.onVerify !== 'function') {
      throw new TypeError('onVerify must be a function')
    }
    this.#onVerify = options.onVerify
    this.#onQueueWait = options.onQueueWait
    this.#threads = new HashThreads(maxConcurrent)
    // Up to one queue place per thread is held by the thread itself (its next job, waiting in
    // its port: see HashThreads); what is admitted in all stays maxConcurrent + maxQueue.
    const heldByThreads = Math.min(maxConcurrent, maxQueue)
    this.#limiter = new ConcurrencyLimiter(
      maxConcurrent + heldByThreads,
      maxQueue - heldByThreads,
      readInteger('maxWaitMs', options.maxWaitMs, 1000, 0, 60_000),
      () => new PasswordHasherBusyError(1),
    )
  }

  /**
   * Hashes `password` with argon2id at the configured parameters, in Django's encoding:
   * `argon2$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
   *
   * @throws {TypeError} `password` is not a string.
   * @throws {PasswordTooLongError} `password` is over 1024 UTF-8 bytes (never truncated).
   * @throws {PasswordHasherBusyError} Every slot and queue place stayed taken for `maxWaitMs`.
   */
  async hash(password: string): Promise<string> {
    if (typeof password !== 'string') throw new TypeError('password must be a string')
    if (isPasswordTooLong(password)) throw new PasswordTooLongError()
    const phc = await this.#limiter.run(this.#timed(() => this.#argon2idHash(password)))
    // Django stores 'argon2' + the PHC string and splits on the first '$' to read it back.
    return `argon2${phc}`
  }

  /**
   * True when a verify or hash would have to wait for room right now: every slot and queue
   * place is taken. Callers check it before costlier work, and then {@link waitForRoom}.
   */
  get busy(): boolean {
    return this.#limiter.full
  }

  /**
   * Resolves `true` once a verify or hash would be admitted (at once if it would now), or
   * `false` when the hasher is still full after `maxWaitMs`. Callers wait here, before reading
   * a login's body, instead of refusing at once: a refused client tends to retry at once, so a
   * flood of instant refusals would take the event loop from every other request, while a
   * waiting one costs a timer. Waiters are served in arrival order, one per finished job; room is
   * not reserved, so the verify itself may have to wait again.
   */
  waitForRoom(): Promise<boolean> {
    return this.#limiter.waitForRoom()
  }

  /**
   * Checks `password` against a stored hash. Runs exactly one hash computation on every path:
   * a missing (`null`), empty, unusable (`!`...), unknown, malformed or over-limit hash, or a
   * password over 1024 bytes, verifies against a dummy argon2id hash at the current parameters
   * and returns `{ ok: false }`, so a failed login costs the same as a wrong password.
   *
   * @throws {PasswordHasherBusyError} Every slot and queue place stayed taken for `maxWaitMs`.
   */
  verify(password: string, encoded: string | null): Promise<PasswordVerifyResult> {
    return this.#limiter.run(this.#timed(() => this.#verifyNow(password, encoded)))
  }

  /**
   * Hashing jobs running now and queued for a slot, and callers waiting for room before reading
   * a login (metrics).
   */
  get load(): { readonly running: number; readonly queued: number; readonly waiting: number } {
    const limiter = this.#limiter
    return { running: limiter.active, queued: limiter.queued, waiting: limiter.waiting }
  }

  #timed<T>(job: () => Promise<T>): () => Promise<T> {
    const report = this.#onQueueWait
    if (report === undefined) return job
    const asked = performance.now()
    return () => {
      report((performance.now() - asked) / 1000)
      return job()
    }
  }

  async #verifyNow(password: unknown, encoded: unknown): Promise<PasswordVerifyResult> {
    const parsed = typeof encoded === 'string' ? parseDjangoHash(encoded) : undefined
    const usable = typeof password === 'string' && !isPasswordTooLong(password)
    if (parsed === undefined || !usable) {
      // Never feed an oversized password even to the dummy: its cost must not depend on input.
      await this.#verifyDummy(usable ? password : '')
      return { ok: false, needsRehash: false }
    }
    this.#onVerify?.(parsed.format)
    let ok: boolean
    try {
      ok = await verifyDjangoHash(this.#threads, password, parsed)
    } catch {
      // The parser admits only what the libraries accept, so this is a hash they could not
      // finish (e.g. out of memory); a failed login is the safe answer, and it looks like one.
      ok = false
    }
    // Django's legacy digests cost microseconds: pay the dummy hash too, so that a login
    // against one takes as long as any other and does not tell which users have one.
    if ('hex' in parsed) await this.#verifyDummy(password)
    return { ok, needsRehash: ok && !this.#isCurrent(parsed) }
  }

  async #verifyDummy(password: string): Promise<void> {
    this.#dummyHash ??= this.#argon2idHash(randomBytes(32).toString('base64'))
    let dummy: string
    try {
      dummy = await this.#dummyHash
    } catch (error) {
      this.#dummyHash = undefined
      throw error
    }
    this.#onVerify?.('dummy')
    await this.#threads.argon2Verify(dummy, password)
  }

  #argon2idHash(password: string): Promise<string> {
    const options = { ...this.#argon2, algorithm: ARGON2ID, version: VERSION_0X13 }
    return this.#threads.argon2Hash(password, options)
  }

  #isCurrent(hash: DjangoHash): boolean {
    const current = this.#argon2
    return (
      hash.format === 'argon2id' &&
      hash.version === 19 &&
      hash.memoryCost === current.memoryCost &&
      hash.timeCost === current.timeCost &&
      hash.parallelism === current.parallelism
    )
  }
}

function readInteger(
  name: string,
  value: number | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer from ${min} to ${max}`)
  }
  return value
}
