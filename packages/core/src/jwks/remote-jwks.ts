import { isUtf8 } from 'node:buffer'
import { KeyRing } from '../keys/key-ring.js'
import type { SigningKey } from '../keys/signing-key.js'
import { type Clock, systemClock } from '../tokens/token-types.js'
import { maxAgeSeconds } from './cache-control.js'
import {
  DEFAULT_JWKS_MAX_BYTES,
  DEFAULT_JWKS_MAX_KEYS,
  type ImportJwksOptions,
  parseJwks,
} from './import-jwks.js'
import { JwksError } from './jwks-error.js'

/** The subset of the WHATWG `fetch` RemoteJwks calls (Node's global one by default). */
export type JwksFetch = (url: URL, init: RequestInit) => Promise<Response>

/** Options of {@link RemoteJwks}. Durations in seconds. */
export interface RemoteJwksOptions extends ImportJwksOptions {
  /**
   * The one place keys come from, e.g. `https://auth.example.com/.well-known/jwks.json`. Never a
   * URL from a token: `jku`/`x5u` headers are refused by the verifier before any key lookup.
   */
  readonly url: string | URL
  /** Abort a fetch (headers and body) after this long. Default 5. */
  readonly timeoutSeconds?: number
  /**
   * Least time between two fetches: an unknown `kid` (or a stale set) refetches at most once
   * per cooldown, however many requests ask. Default 30.
   */
  readonly cooldownSeconds?: number
  /** Lower bound on the response's `Cache-Control: max-age`. Default 60. */
  readonly minCacheSeconds?: number
  /** Upper bound on the response's `Cache-Control: max-age`. Default 86,400 (one day). */
  readonly maxCacheSeconds?: number
  /** Freshness when the response has no `max-age` (then clamped to the bounds). Default 600. */
  readonly defaultCacheSeconds?: number
  /** The fetch to use; default the global `fetch`. For tests and custom agents. */
  readonly fetch?: JwksFetch
  /** Epoch-seconds clock. Default: the system clock. */
  readonly clock?: Clock
  /** Reports failed background refreshes (the last good keys stay in use); default: ignore. */
  readonly onError?: (error: JwksError) => void
}

/**
 * A JWKS fetched from one configured URL and kept fresh, as verify-only {@link KeyRing}s.
 *
 * - Fetches with a timeout, no redirects, a size cap (checked while streaming), and imports
 *   with {@link importJwks}'s all-or-nothing rules.
 * - Fresh for the response's `max-age`, clamped to `[minCacheSeconds, maxCacheSeconds]`; a
 *   stale set keeps serving while a background refresh runs.
 * - A failed fetch or a refused document keeps the last good keys (reported to `onError`).
 * - Every fetch is at least `cooldownSeconds` after the previous one, and concurrent callers
 *   share one in-flight request: 100 requests with an unknown kid cost at most one fetch.
 *
 * @example
 * const jwks = new RemoteJwks({ url: 'https://auth.example.com/.well-known/jwks.json' })
 * await jwks.load()
 */
export class RemoteJwks {
  readonly #url: URL
  readonly #import: ImportJwksOptions
  readonly #timeout: number
  readonly #cooldown: number
  readonly #minCache: number
  readonly #maxCache: number
  readonly #defaultCache: number
  readonly #fetch: JwksFetch
  readonly #clock: Clock
  readonly #onError: (error: JwksError) => void
  #ring: KeyRing | undefined
  #version = 0
  #freshUntil = Number.NEGATIVE_INFINITY
  #lastAttempt = Number.NEGATIVE_INFINITY
  #inflight: Promise<KeyRing | undefined> | undefined
  #lastError: JwksError | undefined

  constructor(options: RemoteJwksOptions) {
    this.#url = new URL(options.url)
    if (this.#url.protocol !== 'https:' && this.#url.protocol !== 'http:') {
      throw new TypeError('RemoteJwks: url must be an http(s) URL')
    }
    // Keys fetched over plain HTTP can be swapped on the way: then anyone signs tokens. Only a
    // server on this machine may be asked without TLS (development, a sidecar).
    if (this.#url.protocol === 'http:' && !isLoopback(this.#url.hostname)) {
      throw new TypeError(
        `RemoteJwks: url must be https (${this.#url.host} is not this machine; plain http is ` +
          'only for localhost, 127.0.0.0/8 and [::1])',
      )
    }
    this.#import = {
      maxBytes: positive(options.maxBytes ?? DEFAULT_JWKS_MAX_BYTES, 'maxBytes'),
      maxKeys: positive(options.maxKeys ?? DEFAULT_JWKS_MAX_KEYS, 'maxKeys'),
      ...(options.algorithms === undefined ? {} : { algorithms: options.algorithms }),
    }
    this.#timeout = positive(options.timeoutSeconds ?? 5, 'timeoutSeconds')
    this.#cooldown = nonNegative(options.cooldownSeconds ?? 30, 'cooldownSeconds')
    this.#minCache = nonNegative(options.minCacheSeconds ?? 60, 'minCacheSeconds')
    this.#maxCache = nonNegative(options.maxCacheSeconds ?? 86_400, 'maxCacheSeconds')
    if (this.#maxCache < this.#minCache) {
      throw new TypeError('RemoteJwks: maxCacheSeconds must be >= minCacheSeconds')
    }
    this.#defaultCache = nonNegative(options.defaultCacheSeconds ?? 600, 'defaultCacheSeconds')
    this.#fetch = options.fetch ?? ((url, init) => fetch(url, init))
    this.#clock = options.clock ?? systemClock
    this.#onError = options.onError ?? (() => {})
  }

  /** The configured URL. */
  get url(): URL {
    return new URL(this.#url)
  }

  /** The last good keys as a verify-only ring, or undefined before the first successful fetch. */
  get ring(): KeyRing | undefined {
    return this.#ring
  }

  /** The last good keys (empty before the first successful fetch). */
  get keys(): readonly SigningKey[] {
    return this.#ring?.keys ?? []
  }

  /** Bumped on every successful fetch: callers compare it to know the ring changed. */
  get version(): number {
    return this.#version
  }

  /** Whether the keys are past their freshness (or were never fetched). */
  get stale(): boolean {
    return this.#clock() >= this.#freshUntil
  }

  /** Whether a fetch is in flight. */
  get refreshing(): boolean {
    return this.#inflight !== undefined
  }

  /** Seconds until the cooldown allows another fetch (0 when it does now). */
  get cooldownRemaining(): number {
    return Math.max(0, this.#lastAttempt + this.#cooldown - this.#clock())
  }

  /**
   * The keys, fetching first when there are none yet or they are stale (within the cooldown;
   * joins a fetch in flight). Rejects with the {@link JwksError} when there are still no keys.
   */
  async load(): Promise<KeyRing> {
    if (this.#ring !== undefined && !this.stale) return this.#ring
    const ring = await this.refresh()
    if (ring !== undefined) return ring
    throw this.#lastError ?? new JwksError('fetch_failed', 'JWKS not fetched yet (cooldown)')
  }

  /**
   * Fetches now unless a fetch ran within the cooldown; joins a fetch in flight. Resolves to the
   * current ring (the last good one when this fetch failed), never rejects.
   */
  refresh(): Promise<KeyRing | undefined> {
    if (this.#inflight !== undefined) return this.#inflight
    if (this.cooldownRemaining > 0) return Promise.resolve(this.#ring)
    this.#lastAttempt = this.#clock()
    const run = this.#fetchOnce().finally(() => {
      this.#inflight = undefined
    })
    this.#inflight = run
    return run
  }

  /** Starts {@link refresh} in the background when the keys are stale; never blocks. */
  refreshIfStale(): void {
    if (this.#inflight === undefined && this.stale && this.cooldownRemaining === 0) {
      void this.refresh()
    }
  }

  async #fetchOnce(): Promise<KeyRing | undefined> {
    try {
      const { text, maxAge } = await this.#download()
      const keys = parseJwks(text, this.#import)
      const ring = KeyRing.forVerification(keys)
      const lifetime = Math.min(
        this.#maxCache,
        Math.max(this.#minCache, maxAge ?? this.#defaultCache),
      )
      this.#ring = ring
      this.#version++
      this.#freshUntil = this.#clock() + lifetime
      this.#lastError = undefined
      return ring
    } catch (cause) {
      const error =
        cause instanceof JwksError
          ? cause
          : new JwksError('fetch_failed', `JWKS fetch failed (${(cause as Error).name})`, { cause })
      this.#lastError = error
      try {
        this.#onError(error)
      } catch {
        // A reporter that throws must not break verification.
      }
      return this.#ring
    }
  }

  async #download(): Promise<{ text: string; maxAge: number | undefined }> {
    const signal = AbortSignal.timeout(this.#timeout * 1000)
    const where = this.#url.origin + this.#url.pathname
    let response: Response
    try {
      response = await this.#fetch(this.#url, {
        signal,
        // A redirect could lead anywhere: keys come from the configured URL only.
        redirect: 'error',
        headers: { accept: 'application/jwk-set+json, application/json' },
      })
    } catch (error) {
      throw timeoutOr(error, where)
    }
    if (response.status !== 200) {
      await response.body?.cancel().catch(() => {})
      throw new JwksError('fetch_failed', `JWKS ${where} answered ${response.status}`)
    }
    const maxBytes = this.#import.maxBytes as number
    const declared = Number(response.headers.get('content-length') ?? Number.NaN)
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => {})
      throw new JwksError('document_too_large', `JWKS document is larger than ${maxBytes} bytes`)
    }
    let text: string
    try {
      text = await readCapped(response, maxBytes)
    } catch (error) {
      throw error instanceof JwksError ? error : timeoutOr(error, where)
    }
    return { text, maxAge: maxAgeSeconds(response.headers.get('cache-control')) }
  }
}

/** Reads the body as UTF-8, refusing it as soon as it passes `maxBytes`. */
async function readCapped(response: Response, maxBytes: number): Promise<string> {
  if (response.body === null) return ''
  const reader = response.body.getReader()
  const chunks: Buffer[] = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => {})
      throw new JwksError('document_too_large', `JWKS document is larger than ${maxBytes} bytes`)
    }
    chunks.push(Buffer.from(value))
  }
  const bytes = Buffer.concat(chunks)
  if (!isUtf8(bytes)) throw new JwksError('document_invalid', 'JWKS document is not UTF-8')
  return bytes.toString('utf8')
}

function timeoutOr(error: unknown, where: string): JwksError {
  const name = (error as Error | undefined)?.name
  return name === 'TimeoutError' || name === 'AbortError'
    ? new JwksError('fetch_timeout', `JWKS ${where} did not answer in time`, { cause: error })
    : new JwksError('fetch_failed', `JWKS ${where} could not be fetched (${name})`, {
        cause: error,
      })
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new TypeError(`RemoteJwks: ${name} must be > 0`)
  return value
}

function nonNegative(value: number, name: string): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`RemoteJwks: ${name} must be a finite number >= 0`)
  }
  return value
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  )
}
