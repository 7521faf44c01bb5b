import type { TokenErrorCode } from '../errors/error-codes.js'
import { RevocationUnavailableError } from '../errors/request-errors.js'
import {
  type TokenError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
  TokenWrongTypeError,
} from '../errors/token-errors.js'
import { decodeJsonSegment, type JsonObject, layoutCompact } from '../jws/compact.js'
import { createVerifySignatureFunction, type VerifySignatureFunction } from '../jws/signatures.js'
import type { KeyRing } from '../keys/key-ring.js'
import type { RevocationCheck } from './revocation-check.js'
import {
  findKnownHeader,
  type KnownHeader,
  knownHeaderSegments,
  parseTokenHeader,
} from './token-header.js'
import {
  type ClaimNames,
  type Clock,
  DEFAULT_CLAIM_NAMES,
  systemClock,
  type TokenType,
  type VerifiedToken,
} from './token-types.js'
import { type CachedVerification, VerifiedTokenCache } from './verified-token-cache.js'

/** Options of {@link TokenVerifier}. */
export interface TokenVerifierOptions {
  /** The keys that may verify; a token's `kid` is looked up here and nowhere else. */
  keyRing: KeyRing
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, in seconds. Default 0. */
  leeway?: number
  /** When set, `iss` must equal it exactly. */
  issuer?: string
  /** When set, `aud` must equal it (or be an array of strings holding it); when unset, `aud` is refused. */
  audience?: string
  /** Renamed claims (`TOKEN_TYPE_CLAIM`, `JTI_CLAIM`, `USER_ID_CLAIM`). */
  claimNames?: ClaimNames
  /** Epoch-seconds clock. Default: the system clock. */
  clock?: Clock
  /** The revocation view asked last, after every other check passed. */
  revocation?: RevocationCheck
  /**
   * How many verified tokens to remember by their exact text, so a token presented again skips
   * the signature and parsing; time, key validity, type and revocation are re-checked on every
   * hit (see {@link VerifiedTokenCache}). Default 10,000; 0 turns it off.
   */
  cacheSize?: number
}

/**
 * The outcome of a verification: the verified token, or the typed reason it was refused (a
 * {@link RevocationUnavailableError} while the revocation view fails closed).
 */
export type VerifyResult =
  | { readonly ok: true; readonly token: VerifiedToken }
  | { readonly ok: false; readonly error: TokenError | RevocationUnavailableError }

const MAX_JTI_LENGTH = 128

/** Default of {@link TokenVerifierOptions.cacheSize}: ~5 MB at most. */
const DEFAULT_CACHE_SIZE = 10_000

/**
 * The strict verifier of security.md: pre-parse, header allow-list, kid lookup in our ring,
 * the key's single algorithm, signature, claims with leeway, token type, then revocation.
 * Synchronous and allocation-light: it runs on every authenticated request.
 *
 * @example
 * const verifier = new TokenVerifier({ keyRing })
 * const result = verifier.verify(bearer, 'access')
 * if (!result.ok) reply.code(401).send(authenticationFailureBody(result.error.code))
 */
export class TokenVerifier {
  #ring!: KeyRing
  #known!: KnownHeader[]
  #checks!: Map<string, VerifySignatureFunction>
  readonly #leeway: number
  readonly #issuer: string | undefined
  readonly #audience: string | undefined
  readonly #names: ClaimNames
  readonly #clock: Clock
  readonly #revocation: RevocationCheck | undefined
  readonly #cache: VerifiedTokenCache | undefined

  constructor(options: TokenVerifierOptions) {
    const leeway = options.leeway ?? 0
    if (!Number.isInteger(leeway) || leeway < 0) {
      throw new TypeError('TokenVerifier: leeway must be a whole number of seconds >= 0')
    }
    this.#leeway = leeway
    this.#issuer = options.issuer
    this.#audience = options.audience
    this.#names = options.claimNames ?? DEFAULT_CLAIM_NAMES
    this.#clock = options.clock ?? systemClock
    this.#revocation = options.revocation
    const cacheSize = options.cacheSize ?? DEFAULT_CACHE_SIZE
    this.#cache = cacheSize === 0 ? undefined : new VerifiedTokenCache(cacheSize)
    this.useKeyRing(options.keyRing)
  }

  /** Switches to another key ring (after a rotation); per-key work is prepared here, once. */
  useKeyRing(ring: KeyRing): void {
    const checks = new Map<string, VerifySignatureFunction>()
    for (const key of ring.keys) checks.set(key.kid, createVerifySignatureFunction(key))
    this.#known = knownHeaderSegments(ring)
    this.#checks = checks
    this.#ring = ring
    this.#cache?.clear()
  }

  /**
   * Verifies `token`. With `expectedType`, a token of another kind is refused
   * (`token_wrong_type`); without it any kind passes (simplejwt's verify endpoint).
   * `expiryClaim` names the claim that bounds the token's life (`refresh_exp` when refreshing
   * a sliding token); `exp` must be present either way.
   */
  verify(token: string, expectedType?: TokenType, expiryClaim = 'exp'): VerifyResult {
    if (expiryClaim === 'exp') {
      const cached = this.#cache?.get(token)
      if (cached !== undefined) {
        const result = this.#recheck(token, cached, expectedType)
        if (result !== undefined) return result
      }
    }
    const layout = layoutCompact(token)
    if (layout === undefined) return invalid('token_malformed', 'not a canonical JWS compact token')
    const { headerEnd, payloadEnd } = layout
    const header =
      findKnownHeader(this.#known, token, headerEnd) ?? parseTokenHeader(token, headerEnd)
    if (header === 'token_malformed') return invalid(header, 'header is not a JSON object')
    if (header === 'token_header_forbidden')
      return invalid(header, 'header is not an allowed JOSE header')
    // Not floored: with a sub-second clock, flooring accepts a fractional exp up to 1 s late and
    // refuses an nbf/iat earlier in the current second (RFC 7519 2: NumericDates may be fractional).
    const now = this.#clock()
    const key = this.#ring.verificationKey(header.kid, now)
    if (key === undefined) return invalid('token_key_unknown', 'no key of the ring matches the kid')
    if (key.alg !== header.alg)
      return invalid('token_algorithm_mismatch', "alg is not the key's algorithm")
    const check = this.#checks.get(key.kid) as VerifySignatureFunction
    const signature = Buffer.from(token.slice(payloadEnd + 1), 'base64url')
    if (!check(token.slice(0, payloadEnd), signature)) {
      return invalid('token_signature_invalid', 'signature does not match')
    }
    const claims = decodeJsonSegment(token, headerEnd + 1, payloadEnd)
    if (claims === undefined) return invalid('token_malformed', 'payload is not a JSON object')
    const checked = this.#checkClaims(claims, key.kid, now, expectedType, expiryClaim)
    if (!checked.ok) return checked
    const verified = checked.token
    let result: VerifyResult = checked
    if (this.#cache !== undefined && expiryClaim === 'exp') {
      const notBefore = Math.max(
        (claims.nbf as number | undefined) ?? Number.NEGATIVE_INFINITY,
        verified.iat ?? Number.NEGATIVE_INFINITY,
      )
      result = this.#cache.set(token, { headerKid: header.kid, key, notBefore, token: verified })
    }
    return this.#checkRevocation(result.token as VerifiedToken, result)
  }

  /**
   * A cache hit, re-checked in the full path's order: the key still verifies for the kid, then
   * exp, nbf/iat, type, revocation. Undefined when the key changed: verify from scratch.
   */
  #recheck(
    token: string,
    cached: CachedVerification,
    expectedType: TokenType | undefined,
  ): VerifyResult | undefined {
    const now = this.#clock()
    if (this.#ring.verificationKey(cached.headerKid, now) !== cached.key) {
      this.#cache?.delete(token)
      return undefined
    }
    const leeway = this.#leeway
    const verified = cached.token
    if (verified.exp <= now - leeway) {
      this.#cache?.delete(token)
      return { ok: false, error: new TokenExpiredError() }
    }
    if (cached.notBefore > now + leeway) {
      return invalid('token_not_yet_valid', 'nbf is in the future or not a NumericDate')
    }
    if (expectedType !== undefined && verified.type !== expectedType) {
      return { ok: false, error: new TokenWrongTypeError() }
    }
    return this.#checkRevocation(verified, cached.result)
  }

  #checkRevocation(verified: VerifiedToken, success: VerifyResult): VerifyResult {
    const revocation = this.#revocation
    if (revocation?.isRevoked(verified) === true) {
      const error =
        revocation.failsClosed?.(verified) === true
          ? new RevocationUnavailableError(verified)
          : new TokenRevokedError()
      return { ok: false, error }
    }
    return success
  }

  /** Claims with leeway, issuer, audience, jti, type and user id; revocation is not asked. */
  #checkClaims(
    claims: JsonObject,
    kid: string,
    now: number,
    expectedType: TokenType | undefined,
    expiryClaim: string,
  ): { readonly ok: true; readonly token: VerifiedToken } | VerifyResult {
    const leeway = this.#leeway
    const exp = claims.exp
    if (exp === undefined) return invalid('token_no_exp', 'exp is missing')
    if (!isNumericDate(exp)) return invalid('token_claim_invalid', 'exp is not a NumericDate')
    const expiry = expiryClaim === 'exp' ? exp : claims[expiryClaim]
    if (!isNumericDate(expiry))
      return invalid('token_claim_invalid', `${expiryClaim} is not a NumericDate`)
    // RFC 7519 4.1.4: the token must not be accepted on or after exp.
    if (expiry <= now - leeway) return { ok: false, error: new TokenExpiredError() }
    const { nbf, iat } = claims
    if (nbf !== undefined && (!isNumericDate(nbf) || nbf > now + leeway)) {
      return invalid('token_not_yet_valid', 'nbf is in the future or not a NumericDate')
    }
    if (iat !== undefined && (!isNumericDate(iat) || iat > now + leeway)) {
      return invalid('token_not_yet_valid', 'iat is in the future or not a NumericDate')
    }
    if (this.#issuer !== undefined && claims.iss !== this.#issuer) {
      return invalid('token_claim_invalid', 'iss does not match')
    }
    if (!this.#audienceMatches(claims.aud))
      return invalid('token_claim_invalid', 'aud does not match')
    const names = this.#names
    // simplejwt's order: exp, then jti ("Token has no id"), then token type.
    const jti = claims[names.jti]
    if (jti === undefined) return invalid('token_no_id', 'jti is missing')
    if (typeof jti !== 'string' || jti.length === 0 || jti.length > MAX_JTI_LENGTH) {
      return invalid('token_claim_invalid', 'jti is not a short string')
    }
    const type = claims[names.tokenType]
    if (type === undefined) return invalid('token_no_type', 'token_type is missing')
    if (typeof type !== 'string')
      return invalid('token_claim_invalid', 'token_type is not a string')
    if (expectedType !== undefined && type !== expectedType) {
      return { ok: false, error: new TokenWrongTypeError() }
    }
    const rawUserId = claims[names.userId]
    let userId: string | undefined
    if (typeof rawUserId === 'string') userId = rawUserId
    else if (Number.isSafeInteger(rawUserId)) userId = String(rawUserId)
    else if (rawUserId !== undefined)
      return invalid('token_claim_invalid', 'user id is not a string or integer')
    const sessionId = claims.sid
    if (
      sessionId !== undefined &&
      (typeof sessionId !== 'string' || sessionId.length === 0 || sessionId.length > MAX_JTI_LENGTH)
    ) {
      return invalid('token_claim_invalid', 'sid is not a short string')
    }
    const verified: VerifiedToken = {
      type,
      jti,
      userId,
      sessionId,
      exp,
      iat: iat as number | undefined,
      kid,
      claims,
    }
    return { ok: true, token: verified }
  }

  #audienceMatches(aud: unknown): boolean {
    const expected = this.#audience
    // RFC 7519 4.1.3: a token naming an audience must be refused by anyone not in it.
    if (expected === undefined) return aud === undefined
    if (typeof aud === 'string') return aud === expected
    // Exact element match on a flat array of strings: no substring, no nested-array tricks.
    return (
      Array.isArray(aud) &&
      aud.length > 0 &&
      aud.every((entry) => typeof entry === 'string') &&
      aud.includes(expected)
    )
  }
}

function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}

function invalid(code: TokenErrorCode, message: string): VerifyResult {
  return { ok: false, error: new TokenInvalidError(code, message) }
}
