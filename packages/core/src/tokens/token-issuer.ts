import { randomFillSync } from 'node:crypto'
import { encodeBase64url } from '../jws/base64url.js'
import type { JsonObject } from '../jws/compact.js'
import { createSignFunction, type SignFunction } from '../jws/signatures.js'
import type { KeyRing } from '../keys/key-ring.js'
import {
  type ClaimNames,
  type Clock,
  DEFAULT_CLAIM_NAMES,
  type JsonValue,
  systemClock,
  type TokenType,
  type VerifiedToken,
} from './token-types.js'

/** Whom a token is for: anything with an id (a user row, a principal). */
export interface TokenSubject {
  readonly id: string | number
}

/**
 * Adds custom claims to refresh, access and sliding tokens issued for `user` (an access token
 * derived from a refresh token inherits the refresh token's custom claims, as in simplejwt).
 * Registered and Tessera claim names are refused.
 */
export type CustomClaimsHook<U extends TokenSubject> = (
  user: U,
  tokenType: TokenType,
) => Readonly<Record<string, JsonValue>>

/** Claims a caller adds to a token of its own (after the user's and the custom ones). */
export type ExtraClaims = Readonly<Record<string, JsonValue>>

/** Token lifetimes in seconds. */
export interface TokenLifetimes {
  /** `ACCESS_TOKEN_LIFETIME`, default 300. */
  access: number
  /** `REFRESH_TOKEN_LIFETIME`, default 86400. */
  refresh: number
  /** `SLIDING_TOKEN_LIFETIME`, default 300. */
  sliding: number
  /** `SLIDING_TOKEN_REFRESH_LIFETIME`, default 86400. */
  slidingRefresh: number
  /** `MFA_TOKEN_LIFETIME`, default 300. */
  mfa: number
}

/** Options of {@link TokenIssuer}. */
export interface TokenIssuerOptions<U extends TokenSubject> {
  /** Its current key signs. */
  keyRing: KeyRing
  /** Lifetimes in seconds; simplejwt's defaults where omitted. */
  lifetimes?: Partial<TokenLifetimes>
  /** `ISSUER`: added as `iss` when set. */
  issuer?: string
  /** `AUDIENCE`: added as `aud` when set. */
  audience?: string
  /** Renamed claims. */
  claimNames?: ClaimNames
  /** `SLIDING_TOKEN_REFRESH_EXP_CLAIM`, default `refresh_exp`. */
  slidingRefreshExpClaim?: string
  /** Epoch-seconds clock. */
  clock?: Clock
  /** Custom claims. */
  customClaims?: CustomClaimsHook<U>
}

/** A freshly signed token and what it says. */
export interface IssuedToken {
  /** The compact JWS. */
  readonly token: string
  /** Its claims, in the order they were written. */
  readonly claims: Readonly<JsonObject>
  readonly jti: string
  /** Expiry, epoch seconds. */
  readonly exp: number
}

/** A refresh token and the access token derived from it. */
export interface IssuedTokenPair {
  readonly refresh: IssuedToken
  readonly access: IssuedToken
}

const DEFAULT_LIFETIMES: TokenLifetimes = {
  access: 300,
  refresh: 86400,
  sliding: 300,
  slidingRefresh: 86400,
  mfa: 300,
}

/**
 * Mints tokens with simplejwt's layout: `token_type, exp, iat, jti, user_id`, then `sub`, `iss`,
 * `aud`, `sid` (the session, when the token belongs to one), then custom claims; `jti` is 32 lowercase hex from a CSPRNG. The header is
 * `{"alg","typ":"JWT","kid"}` of the ring's current key.
 */
export class TokenIssuer<U extends TokenSubject = TokenSubject> {
  readonly #lifetimes: TokenLifetimes
  readonly #issuer: string | undefined
  readonly #audience: string | undefined
  readonly #names: ClaimNames
  readonly #slidingRefreshExp: string
  readonly #clock: Clock
  readonly #customClaims: CustomClaimsHook<U> | undefined
  readonly #reserved: ReadonlySet<string>
  #headerSegment!: string
  #signInput!: SignFunction

  constructor(options: TokenIssuerOptions<U>) {
    this.#lifetimes = { ...DEFAULT_LIFETIMES, ...options.lifetimes }
    for (const [name, seconds] of Object.entries(this.#lifetimes)) {
      if (!Number.isInteger(seconds) || seconds <= 0) {
        throw new TypeError(`TokenIssuer: lifetimes.${name} must be a whole number of seconds > 0`)
      }
    }
    this.#issuer = options.issuer
    this.#audience = options.audience
    this.#names = options.claimNames ?? DEFAULT_CLAIM_NAMES
    this.#slidingRefreshExp = options.slidingRefreshExpClaim ?? 'refresh_exp'
    this.#clock = options.clock ?? systemClock
    this.#customClaims = options.customClaims
    const names = this.#names
    this.#reserved = new Set([
      ...['exp', 'iat', 'nbf', 'sub', 'iss', 'aud', 'jti', 'sid', 'token_type', 'user_id'],
      names.tokenType,
      names.jti,
      names.userId,
      this.#slidingRefreshExp,
    ])
    this.useKeyRing(options.keyRing)
  }

  /** Signs with another ring's current key from now on (after a rotation). */
  useKeyRing(ring: KeyRing): void {
    const key = ring.current
    this.#headerSegment = encodeBase64url(
      JSON.stringify({ alg: key.alg, typ: 'JWT', kid: key.kid }),
    )
    this.#signInput = createSignFunction(key)
  }

  /**
   * A refresh token for `user` (the start of a session family) and its derived access token.
   * With `sessionId`, both name the session in their `sid` claim (OpenID Connect's session id),
   * so revoking the session ends its access tokens too.
   */
  issueTokenPair(user: U, sessionId?: string, extraClaims?: ExtraClaims): IssuedTokenPair {
    const refresh = this.issueRefreshToken(user, sessionId, extraClaims)
    return { refresh, access: this.accessTokenFromRefresh(refresh.claims) }
  }

  /**
   * A refresh token for `user`, of session `sessionId` when given; `extraClaims` (the
   * configured `TOKEN_CLAIMS`, loaded by the caller) go after the custom ones, and into every
   * access token derived from it.
   */
  issueRefreshToken(user: U, sessionId?: string, extraClaims?: ExtraClaims): IssuedToken {
    return this.#issue(
      'refresh',
      this.#lifetimes.refresh,
      this.#userClaims(user, 'refresh', sessionId, extraClaims),
    )
  }

  /** A stand-alone access token for `user`. */
  issueAccessToken(user: U): IssuedToken {
    return this.#issue(
      'access',
      this.#lifetimes.access,
      this.#userClaims(user, 'access', undefined),
    )
  }

  /**
   * An `mfa` token for `user`: what the password step of a login hands to the second-factor
   * step. It names the user (and `iss`/`aud` when set) and when the password step succeeded,
   * `auth_time` to the millisecond (a NumericDate may have a fraction, RFC 7519 2), so a cut-off
   * in the same second as the login is not ambiguous; no session, no custom claims. Every other
   * use refuses its type; the MFA service spends its jti once.
   */
  issueMfaToken(user: U): IssuedToken {
    const id = String(user.id)
    const claims: Record<string, unknown> = {
      [this.#names.userId]: id,
      sub: id,
      auth_time: Math.floor(this.#clock() * 1000) / 1000,
    }
    if (this.#issuer !== undefined) claims.iss = this.#issuer
    if (this.#audience !== undefined) claims.aud = this.#audience
    return this.#issue('mfa', this.#lifetimes.mfa, claims)
  }

  /** A sliding token for `user`, refreshable until its `refresh_exp`; of `sessionId` when given. */
  issueSlidingToken(user: U, sessionId?: string, extraClaims?: ExtraClaims): IssuedToken {
    const now = Math.floor(this.#clock())
    // simplejwt's SlidingToken sets refresh_exp right after jti, before the user claims.
    const claims = {
      [this.#slidingRefreshExp]: now + this.#lifetimes.slidingRefresh,
      ...this.#userClaims(user, 'sliding', sessionId, extraClaims),
    }
    return this.#issue('sliding', this.#lifetimes.sliding, claims)
  }

  /**
   * The access token simplejwt derives from a refresh token: every claim copied except
   * `token_type`, `exp`, `iat` and `jti`, which are fresh.
   */
  accessTokenFromRefresh(refreshClaims: Readonly<JsonObject>): IssuedToken {
    const names = this.#names
    const copied: Record<string, unknown> = {}
    for (const name in refreshClaims) {
      if (name === names.tokenType || name === names.jti || name === 'jti') continue
      if (name === 'exp' || name === 'iat') continue
      copied[name] = refreshClaims[name]
    }
    return this.#issue('access', this.#lifetimes.access, copied)
  }

  /**
   * The successor of a rotated refresh token: the same claims with the given `jti`, `iat` and
   * `exp` (simplejwt's `set_jti`, `set_exp`, `set_iat`). Deterministic in its claims, so a
   * retry inside the reuse interval gets the very successor the first call minted.
   */
  issueRefreshSuccessor(
    previousClaims: Readonly<JsonObject>,
    successor: { readonly jti: string; readonly issuedAt: number; readonly expiresAt: number },
  ): IssuedToken {
    const names = this.#names
    const copied: Record<string, unknown> = {}
    for (const name in previousClaims) {
      if (name === names.tokenType || name === 'exp' || name === 'iat' || name === names.jti)
        continue
      copied[name] = previousClaims[name]
    }
    return this.#sign({
      [names.tokenType]: 'refresh',
      exp: successor.expiresAt,
      iat: successor.issuedAt,
      [names.jti]: successor.jti,
      ...copied,
    })
  }

  /** Refresh lifetime in seconds (`REFRESH_TOKEN_LIFETIME`). */
  get refreshLifetime(): number {
    return this.#lifetimes.refresh
  }

  /**
   * The longest a token that a session's refresh can mint stays valid, in seconds: the access
   * (or sliding) lifetime. A revoked session is remembered this long after its revocation.
   */
  get sessionTokenLifetime(): number {
    return Math.max(this.#lifetimes.access, this.#lifetimes.sliding)
  }

  /**
   * A sliding token with renewed `exp` and `iat` (simplejwt keeps its `jti` and `refresh_exp`).
   * The caller has verified `token` with `expiryClaim` set to the sliding refresh claim.
   */
  refreshSlidingToken(token: VerifiedToken): IssuedToken {
    const names = this.#names
    const copied: Record<string, unknown> = {}
    for (const name in token.claims) {
      if (name === names.tokenType || name === 'exp' || name === 'iat' || name === names.jti)
        continue
      copied[name] = token.claims[name]
    }
    return this.#issue('sliding', this.#lifetimes.sliding, copied, token.jti)
  }

  #userClaims(
    user: U,
    type: TokenType,
    sessionId: string | undefined,
    extraClaims?: ExtraClaims,
  ): Record<string, unknown> {
    const id = String(user.id)
    const claims: Record<string, unknown> = { [this.#names.userId]: userIdClaim(id), sub: id }
    if (this.#issuer !== undefined) claims.iss = this.#issuer
    if (this.#audience !== undefined) claims.aud = this.#audience
    if (sessionId !== undefined) claims.sid = sessionId
    const custom = this.#customClaims?.(user, type)
    for (const [source, extra] of [
      ['customClaims', custom],
      ['extraClaims', extraClaims],
    ] as const) {
      if (extra === undefined) continue
      for (const name of Object.keys(extra)) {
        if (this.#reserved.has(name))
          throw new TypeError(`${source}: "${name}" is a reserved claim`)
        claims[name] = extra[name]
      }
    }
    return claims
  }

  #issue(
    type: TokenType,
    lifetime: number,
    rest: Record<string, unknown>,
    jti?: string,
  ): IssuedToken {
    const now = Math.floor(this.#clock())
    const names = this.#names
    const claims: Record<string, unknown> = {
      [names.tokenType]: type,
      exp: now + lifetime,
      iat: now,
      [names.jti]: jti ?? newJti(),
    }
    for (const name in rest) claims[name] = rest[name]
    return this.#sign(claims)
  }

  #sign(claims: Record<string, unknown>): IssuedToken {
    const names = this.#names
    const signingInput = `${this.#headerSegment}.${encodeBase64url(JSON.stringify(claims))}`
    return {
      token: `${signingInput}.${this.#signInput(signingInput)}`,
      claims,
      jti: claims[names.jti] as string,
      exp: claims.exp as number,
    }
  }
}

// Random bytes are drawn from the CSPRNG 4 KiB at a time: one call per 256 ids instead of one
// per id (measured: a randomBytes call per token cost a sixth of HS256 signing).
const jtiPool = Buffer.alloc(4096)
let jtiOffset = jtiPool.length

/** A new token id: 128 bits from the CSPRNG as 32 lowercase hex digits (like uuid4().hex). */
export function newJti(): string {
  if (jtiOffset === jtiPool.length) {
    randomFillSync(jtiPool)
    jtiOffset = 0
  }
  const jti = jtiPool.toString('hex', jtiOffset, jtiOffset + 16)
  jtiOffset += 16
  return jti
}

const INTEGER_ID = /^(?:0|[1-9][0-9]{0,15})$/

/**
 * simplejwt writes the primary key as it is: an integer for Django's integer ids, a string for
 * UUIDs and other keys. Frontends that decode the token and compare `user_id` with a user's
 * `id` from the API rely on that, so integer ids (within JavaScript's safe range) go out as
 * numbers; `sub` stays the string RFC 7519 asks for.
 */
export function userIdClaim(id: string): number | string {
  if (!INTEGER_ID.test(id)) return id
  const number = Number(id)
  return Number.isSafeInteger(number) ? number : id
}
