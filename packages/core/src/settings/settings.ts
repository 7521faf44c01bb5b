import type { Algorithm } from '../keys/algorithms.js'

/** The environments Tessera knows; `production` turns on the strict checks (e.g. of keys). */
export const TESSERA_ENVS = ['development', 'production', 'test'] as const

/** One of {@link TESSERA_ENVS}. */
export type TesseraEnv = (typeof TESSERA_ENVS)[number]

/**
 * Tessera's settings, named as in simplejwt's `SIMPLE_JWT`, as returned (frozen) by
 * `loadSettings`. Every duration is a whole number of seconds.
 */
export interface TesseraSettings {
  /** Lifetime of access tokens, in seconds, > 0. Default `300` (5m). */
  readonly ACCESS_TOKEN_LIFETIME: number
  /** Lifetime of refresh tokens, in seconds, > 0. Default `86400` (1d). */
  readonly REFRESH_TOKEN_LIFETIME: number
  /**
   * Whether a refresh also returns a new refresh token. Default `true`: unlike simplejwt, Tessera
   * rotates by default so that a stolen refresh token is detected on reuse.
   */
  readonly ROTATE_REFRESH_TOKENS: boolean
  /** Whether a refresh token is revoked once it has been rotated. Default `true`. */
  readonly BLACKLIST_AFTER_ROTATION: boolean
  /** JWS algorithm tokens are signed with. Default `'HS256'`. */
  readonly ALGORITHM: Algorithm
  /** Key tokens are signed with (HMAC secret or PEM private key). Default unset. Secret. */
  readonly SIGNING_KEY: string | undefined
  /** Key tokens are verified with (PEM public key) for asymmetric algorithms. Default unset. */
  readonly VERIFYING_KEY: string | undefined
  /** `aud` claim put in and required from tokens. Default unset (no `aud`). */
  readonly AUDIENCE: string | undefined
  /** `iss` claim put in and required from tokens. Default unset (no `iss`). */
  readonly ISSUER: string | undefined
  /** Clock skew tolerated when checking `exp` and `nbf`, in seconds, >= 0. Default `0`. */
  readonly LEEWAY: number
  /**
   * Accepted schemes of the `Authorization` header, each an RFC 9110 token. Default `['Bearer']`;
   * comma-separated in the environment (`Bearer,JWT`).
   */
  readonly AUTH_HEADER_TYPES: readonly string[]
  /** Claim holding the user id. Default `'user_id'`. */
  readonly USER_ID_CLAIM: string
  /** Claim holding the token type (`access`, `refresh`, `sliding`). Default `'token_type'`. */
  readonly TOKEN_TYPE_CLAIM: string
  /** Claim holding the token id. Default `'jti'`. */
  readonly JTI_CLAIM: string
  /** Whether obtaining a token pair updates the user's last login time. Default `false`. */
  readonly UPDATE_LAST_LOGIN: boolean
  /** Whether tokens of inactive users are refused. Default `true`. */
  readonly CHECK_USER_IS_ACTIVE: boolean
  /** Lifetime of sliding tokens, in seconds, > 0. Default `300` (5m). */
  readonly SLIDING_TOKEN_LIFETIME: number
  /** How long a sliding token can be refreshed, in seconds, > 0. Default `86400` (1d). */
  readonly SLIDING_TOKEN_REFRESH_LIFETIME: number
  /** Claim holding a sliding token's refresh deadline. Default `'refresh_exp'`. */
  readonly SLIDING_TOKEN_REFRESH_EXP_CLAIM: string
  /** Environment Tessera runs in. Default `'development'`. */
  readonly ENV: TesseraEnv
  /** Lifetime of the `mfa` token between the password and the code steps, in seconds. Default `300`. */
  readonly MFA_TOKEN_LIFETIME: number
  /** How long a device remembered at a second-factor login skips it, in seconds. Default 30 days. */
  readonly MFA_TRUSTED_DEVICE_LIFETIME: number
  /** The issuer authenticator apps show beside the account (the `otpauth://` URI). Default `'Tessera'`. */
  readonly MFA_ISSUER: string
  /** Staff accounts must enrol a second factor before using staff-only endpoints. Default `false`. */
  readonly MFA_REQUIRED_FOR_STAFF: boolean
}

/** The name of one setting, e.g. `'ACCESS_TOKEN_LIFETIME'`. */
export type SettingName = keyof TesseraSettings

/** The raw form a setting accepts from code or a config file: durations also as strings. */
export type SettingsInputValue<T> = T extends number ? number | string : T

/**
 * Settings as given in code (`loadSettings({ overrides })`) or in `tessera.config.json`: the
 * names of {@link TesseraSettings}, all optional, durations as seconds or strings (`'15m'`).
 * A key set to `undefined` counts as not given.
 */
export type SettingsInput = {
  readonly [K in SettingName]?: SettingsInputValue<TesseraSettings[K]>
}
