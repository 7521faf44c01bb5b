import { ServiceUnavailableError } from '../errors/request-errors.js'
import { importJwks } from '../jwks/import-jwks.js'
import type { RemoteJwksOptions } from '../jwks/remote-jwks.js'
import { RemoteJwks } from '../jwks/remote-jwks.js'
import { layoutCompact } from '../jws/compact.js'
import { type Algorithm, type AsymmetricAlgorithm, isHmacAlgorithm } from '../keys/algorithms.js'
import { KeyRing } from '../keys/key-ring.js'
import type { SigningKey } from '../keys/signing-key.js'
import type { RevocationView } from '../revocation/revocation-view.js'
import type { RevocationCheck } from '../tokens/revocation-check.js'
import { parseTokenHeader } from '../tokens/token-header.js'
import { type ClaimNames, type Clock, systemClock, type TokenType } from '../tokens/token-types.js'
import { TokenVerifier, type VerifyResult } from '../tokens/token-verifier.js'
import {
  connectResourceRevocation,
  type ResourceRevocation,
  type ResourceRevocationOptions,
} from './resource-revocation.js'
import { importStaticKeys, type StaticKey } from './static-keys.js'

/** Where a resource server's keys come from: exactly one of these. */
export type ResourceKeySource =
  | {
      /**
       * The issuer's base URL (Tessera's public URL): keys from
       * `<issuer>/.well-known/jwks.json`. Also the `iss` checked when `expectIssuer` is true.
       */
      readonly issuer: string
      /** Another JWKS location than `<issuer>/.well-known/jwks.json`. */
      readonly jwksUri?: string | URL
      readonly keys?: never
      readonly jwks?: never
    }
  | {
      /** The JWKS URL, the only place keys are fetched from. */
      readonly jwksUri: string | URL
      readonly issuer?: string
      readonly keys?: never
      readonly jwks?: never
    }
  | {
      /** Static keys: an HMAC secret shared with the issuer, or public keys. */
      readonly keys: readonly StaticKey[]
      readonly issuer?: string
      readonly jwksUri?: never
      readonly jwks?: never
    }
  | {
      /** A JWKS document given inline (imported with `importJwks`, never refreshed). */
      readonly jwks: unknown
      readonly issuer?: string
      readonly jwksUri?: never
      readonly keys?: never
    }

/** Options of {@link ResourceVerifier} besides the key source. Durations in seconds. */
export interface ResourceVerifierSettings {
  /**
   * Check the `iss` claim: `true` for exactly `issuer`, a string for exactly that value.
   * Default false: Tessera writes `iss` only when its `ISSUER` setting is set, and the keys
   * already come from one issuer. Turn it on when several issuers share keys, or to pin it.
   */
  readonly expectIssuer?: boolean | string
  /** The `aud` the tokens must carry (Tessera's `AUDIENCE`); when unset, a token with `aud` is refused. */
  readonly audience?: string
  /** Clock skew tolerated on `exp`, `nbf` and `iat`. Default 0. */
  readonly leeway?: number
  /**
   * The algorithms accepted. Default: the static keys' own, or RS256, ES256 and EdDSA for a
   * JWKS. A JWKS key of another algorithm is left out; a static one refuses to start.
   */
  readonly algorithms?: readonly Algorithm[]
  /**
   * The kid of the key that verifies tokens without a `kid` header (a simplejwt issuer writes
   * none). Default: none, so kid-less tokens are refused, except with a single static key,
   * which is then the default. Tessera always writes a kid.
   */
  readonly defaultKid?: string
  /** Epoch-seconds clock. Default: the system clock. */
  readonly clock?: Clock
  /** Renamed claims (`TOKEN_TYPE_CLAIM`, `JTI_CLAIM`, `USER_ID_CLAIM`) of the issuer. */
  readonly claimNames?: ClaimNames
  /**
   * Revocation: the issuer's bus (and optionally its store) so logouts reach this service
   * before expiry, or any {@link RevocationCheck} you keep up to date yourself.
   */
  readonly revocation?: ResourceRevocationOptions | RevocationCheck
  /** JWKS fetching (timeout, cooldown, cache bounds, size limits, fetch). */
  readonly remote?: Omit<RemoteJwksOptions, 'url' | 'clock' | 'algorithms'>
  /** Verified tokens remembered by text (see `TokenVerifierOptions.cacheSize`). Default 10,000. */
  readonly cacheSize?: number
}

/** Options of {@link ResourceVerifier}. */
export type ResourceVerifierOptions = ResourceKeySource & ResourceVerifierSettings

/** A verification outcome; 503 `service_unavailable` while no JWKS could be fetched yet. */
export type ResourceVerifyResult =
  | VerifyResult
  | { readonly ok: false; readonly error: ServiceUnavailableError }

const ASYMMETRIC: readonly AsymmetricAlgorithm[] = ['RS256', 'ES256', 'EdDSA']

/**
 * Verifies Tessera access tokens locally, on a service that is not the auth server, with the
 * same strict {@link TokenVerifier} over a verify-only ring.
 *
 * `verify` is synchronous whenever it can answer from the keys it holds (the common case). It
 * returns a promise only when it must fetch: before the first JWKS arrived, or for a token
 * whose `kid` is not in the ring, which triggers one refresh of the configured JWKS URL (at
 * most one per cooldown, shared by concurrent callers) and a retry; a kid still unknown is the
 * usual 401 `token_key_unknown`.
 *
 * @example
 * const verifier = new ResourceVerifier({ issuer: 'https://auth.example.com', audience: 'api' })
 * await verifier.ready()
 * const result = await verifier.verify(bearer)
 */
export class ResourceVerifier {
  readonly #verifier: TokenVerifier
  readonly #remote: RemoteJwks | undefined
  readonly #revocation: ResourceRevocation | undefined
  readonly #ready: Promise<void>
  readonly #defaultKid: string | undefined
  #version = 0

  constructor(options: ResourceVerifierOptions) {
    const clock = options.clock ?? systemClock
    const leeway = options.leeway ?? 0
    const sources = ['jwksUri', 'keys', 'jwks'].filter(
      (name) => options[name as keyof ResourceKeySource] !== undefined,
    )
    const remoteUrl = options.jwksUri ?? jwksUrlOf(options.issuer)
    if (sources.length > 1 || (remoteUrl === undefined && sources.length === 0)) {
      throw new TypeError('ResourceVerifier: give exactly one of issuer/jwksUri, keys or jwks')
    }
    let ring: KeyRing
    this.#defaultKid = options.defaultKid
    if (options.keys !== undefined) {
      const keys = importStaticKeys(options.keys)
      const allowed = options.algorithms ?? keys.map((key) => key.alg)
      for (const key of keys) {
        if (!allowed.includes(key.alg))
          throw new TypeError(`ResourceVerifier: key ${key.kid} is ${key.alg}, not in algorithms`)
      }
      // One static key also verifies kid-less tokens (simplejwt issuers write no kid).
      const defaultKid = options.defaultKid ?? (keys.length === 1 ? keys[0]?.kid : undefined)
      ring = KeyRing.forVerification(keys, defaultKid === undefined ? {} : { defaultKid })
    } else if (options.jwks !== undefined) {
      const algorithms = asymmetric(options.algorithms)
      const keys = importJwks(options.jwks, { ...options.remote, algorithms })
      ring = this.#ringOf(keys)
    } else {
      ring = KeyRing.forVerification([])
      this.#remote = new RemoteJwks({
        ...options.remote,
        url: remoteUrl as URL,
        clock,
        algorithms: asymmetric(options.algorithms),
      })
    }
    const issuer = expectedIssuer(options.expectIssuer, options.issuer)
    let revocation: RevocationCheck | undefined
    if (options.revocation !== undefined && 'bus' in options.revocation) {
      this.#revocation = connectResourceRevocation(options.revocation, { clock, leeway })
      revocation = this.#revocation.view
      const remote = this.#remote
      // The issuer announces a key rotation on the same bus: refetch the JWKS now rather than
      // at the next unknown kid. Cooldown-limited, and only ever from the configured URL, so
      // a forged announcement costs at most one fetch per cooldown.
      if (remote !== undefined) {
        options.revocation.bus.subscribe((event) => {
          if ((event as { readonly kind: string }).kind === 'keys') void remote.refresh()
        })
      }
    } else revocation = options.revocation
    this.#verifier = new TokenVerifier({
      keyRing: ring,
      leeway,
      clock,
      ...(issuer === undefined ? {} : { issuer }),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
      ...(options.claimNames === undefined ? {} : { claimNames: options.claimNames }),
      ...(revocation === undefined ? {} : { revocation }),
      ...(options.cacheSize === undefined ? {} : { cacheSize: options.cacheSize }),
    })
    this.#ready = Promise.all([this.#remote?.load(), this.#revocation?.ready]).then(() => {
      this.#syncRing()
    })
    // Verification retries by itself; ready() reports the failure to whoever awaits it.
    this.#ready.catch(() => {})
  }

  /**
   * Resolves once the first JWKS is loaded and the revocation view vouches; rejects when the
   * JWKS could not be fetched (verification keeps retrying after the cooldown regardless).
   */
  ready(): Promise<void> {
    return this.#ready
  }

  /** The JWKS source, when keys come from a URL. */
  get remote(): RemoteJwks | undefined {
    return this.#remote
  }

  /** The revocation view fed by the configured bus, if any. */
  get revocationView(): RevocationView | undefined {
    return this.#revocation?.view
  }

  /**
   * Verifies `token` as an `expectedType` token (default, and what the middlewares ask:
   * `access`). Synchronous when the ring can answer; a promise when it must fetch the JWKS.
   */
  verify(
    token: string,
    expectedType: TokenType = 'access',
  ): ResourceVerifyResult | Promise<ResourceVerifyResult> {
    const remote = this.#remote
    if (remote === undefined) return this.#verifier.verify(token, expectedType)
    if (remote.version !== this.#version) this.#syncRing()
    if (remote.ring === undefined) return this.#refreshThenVerify(token, expectedType)
    remote.refreshIfStale()
    const result = this.#verifier.verify(token, expectedType)
    if (result.ok || result.error.code !== 'token_key_unknown') return result
    // Nothing to gain: within the cooldown with no fetch in flight, or no kid to look for.
    if (!remote.refreshing && remote.cooldownRemaining > 0) return result
    if (!hasUnknownKid(token, remote.ring)) return result
    return this.#refreshThenVerify(token, expectedType)
  }

  /** {@link verify}, always as a promise. */
  async verifyAsync(
    token: string,
    expectedType: TokenType = 'access',
  ): Promise<ResourceVerifyResult> {
    return this.verify(token, expectedType)
  }

  /** Stops the revocation sync's timers (the bus and store stay open: they are yours). */
  close(): void {
    this.#revocation?.close()
  }

  async #refreshThenVerify(token: string, expectedType: TokenType): Promise<ResourceVerifyResult> {
    const remote = this.#remote as RemoteJwks
    await remote.refresh()
    this.#syncRing()
    if (remote.ring === undefined) {
      const retryAfterSeconds = Math.max(1, Math.ceil(remote.cooldownRemaining))
      return {
        ok: false,
        error: new ServiceUnavailableError('no JWKS keys yet: the issuer could not be reached', {
          retryAfterSeconds,
        }),
      }
    }
    return this.#verifier.verify(token, expectedType)
  }

  #syncRing(): void {
    const remote = this.#remote
    if (remote?.ring === undefined || remote.version === this.#version) return
    this.#version = remote.version
    this.#verifier.useKeyRing(this.#ringOf(remote.ring.keys))
  }

  /** A verify-only ring of JWKS keys, with `defaultKid` as default when the set holds it. */
  #ringOf(keys: readonly SigningKey[]): KeyRing {
    const defaultKid = this.#defaultKid
    const found = defaultKid !== undefined && keys.some((key) => key.kid === defaultKid)
    return KeyRing.forVerification(keys, found ? { defaultKid } : {})
  }
}

/** `<issuer>/.well-known/jwks.json`, keeping any path of the issuer's base URL. */
function jwksUrlOf(issuer: string | undefined): URL | undefined {
  if (issuer === undefined) return undefined
  const base = new URL(issuer)
  if (!base.pathname.endsWith('/')) base.pathname += '/'
  return new URL('.well-known/jwks.json', base)
}

function expectedIssuer(expect: boolean | string | undefined, issuer: string | undefined) {
  if (typeof expect === 'string') return expect
  if (expect !== true) return undefined
  if (issuer === undefined) throw new TypeError('ResourceVerifier: expectIssuer: true needs issuer')
  return issuer
}

function asymmetric(algorithms: readonly Algorithm[] | undefined): AsymmetricAlgorithm[] {
  const list = algorithms ?? ASYMMETRIC
  return list.filter((alg): alg is AsymmetricAlgorithm => !isHmacAlgorithm(alg))
}

/** True when the token's header names a kid the ring does not hold (a refresh may find it). */
function hasUnknownKid(token: string, ring: KeyRing): boolean {
  const layout = layoutCompact(token)
  if (layout === undefined) return false
  const header = parseTokenHeader(token, layout.headerEnd)
  if (typeof header === 'string' || header.kid === undefined) return false
  const kid = header.kid
  return !ring.keys.some((key: SigningKey) => key.kid === kid)
}
