import type { JsonObject } from '../jws/compact.js'

/**
 * The kinds of token: simplejwt's three, and `mfa`, which only carries a user from the password
 * step of a login to its second-factor step. Each is only ever accepted where its kind is due.
 */
export type TokenType = 'access' | 'refresh' | 'sliding' | 'mfa'

/** A JSON value, as custom claims may carry. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue }

/** Returns the current time in epoch seconds (fractions allowed). Tests freeze it. */
export type Clock = () => number

/** The default clock: `Date.now()` in seconds, so `vi.setSystemTime` freezes it too. */
export const systemClock: Clock = () => Date.now() / 1000

/** The names of the claims simplejwt lets you rename (`TOKEN_TYPE_CLAIM`, `JTI_CLAIM`, `USER_ID_CLAIM`). */
export interface ClaimNames {
  /** Default `token_type`. */
  readonly tokenType: string
  /** Default `jti`. */
  readonly jti: string
  /** Default `user_id`. */
  readonly userId: string
}

/** simplejwt's claim names. */
export const DEFAULT_CLAIM_NAMES: ClaimNames = Object.freeze({
  tokenType: 'token_type',
  jti: 'jti',
  userId: 'user_id',
})

/** A token whose signature, header and claims all passed the strict checks. */
export interface VerifiedToken {
  /** The `token_type` claim. */
  readonly type: string
  /** The token id: what revocation and single use are keyed by. */
  readonly jti: string
  /** The user id as a string (older simplejwt tokens carry integers), if the token has one. */
  readonly userId: string | undefined
  /**
   * The session the token belongs to (its `sid` claim), if any. Tessera's access, refresh and
   * sliding tokens name their session; tokens minted elsewhere (simplejwt's) have none.
   */
  readonly sessionId: string | undefined
  /** Expiry, epoch seconds. */
  readonly exp: number
  /** Issued-at, epoch seconds, if present. */
  readonly iat: number | undefined
  /** The kid of the key that verified the token. */
  readonly kid: string
  /** Every claim, as decoded. */
  readonly claims: Readonly<JsonObject>
}
