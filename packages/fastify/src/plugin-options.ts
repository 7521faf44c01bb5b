import type { AuthService, KeyManager, Stores, TesseraSettings, ThrottleStore } from '@tessera/core'
import type { TokenTransportOptions } from './browser/transport-options.js'

/** Rates in DRF's form (`5/min`, `100/day`); `null` turns a throttle off. */
export interface ThrottleRates {
  /** Anonymous requests, keyed by client IP. Default `null` (off), as DRF. */
  readonly anon?: string | null
  /** Authenticated requests, keyed by user id. Default `null` (off). */
  readonly user?: string | null
  /** Login attempts per canonical username, checked before any password hash. Default `5/min`. */
  readonly loginUsername?: string | null
  /** Login attempts per client IP, checked before any password hash. Default `20/min`. */
  readonly loginIp?: string | null
  /** Registrations per client IP. Default `10/hour`. */
  readonly register?: string | null
  /** Second-factor attempts per `mfa_token`, checked before the code. Default `5/min`. */
  readonly mfaToken?: string | null
  /**
   * Second-factor attempts per account (login codes, enrolment and disable codes), checked
   * before the code. Default `10/hour`.
   */
  readonly mfaUser?: string | null
  /** Mail-sending requests (resets, activation resends) per address. Default `3/hour`. */
  readonly mailEmail?: string | null
  /** Mail-sending requests per client IP. Default `10/hour`. */
  readonly mailIp?: string | null
}

/** djoser's routes and its serializer switches (djoser's setting names in comments). */
export interface DjoserRouteOptions {
  /** Where they are mounted. Default `/auth`. */
  readonly prefix?: string
  /** `USER_CREATE_PASSWORD_RETYPE`: registration asks for `re_password`. Default false. */
  readonly userCreatePasswordRetype?: boolean
  /** `SET_PASSWORD_RETYPE`: `re_new_password` on set_password. Default false. */
  readonly setPasswordRetype?: boolean
  /** `PASSWORD_RESET_CONFIRM_RETYPE`: `re_new_password` on reset_password_confirm. Default false. */
  readonly passwordResetConfirmRetype?: boolean
  /** `SET_USERNAME_RETYPE`: `re_new_username` on set_username. Default false. */
  readonly setUsernameRetype?: boolean
  /** `USERNAME_RESET_CONFIRM_RETYPE`: `re_new_username` on the confirm. Default false. */
  readonly usernameResetConfirmRetype?: boolean
}

/** The signing-key ring the admin API lists, rotates and retires. */
export interface AdminKeyRing {
  /** The store-backed key manager. */
  readonly manager: KeyManager
  /** Called after a rotation or retirement: reload this process's ring, tell the others. */
  changed(): Promise<void>
}

/** Options of the Tessera Fastify plugin. */
export interface TesseraPluginOptions {
  /** The services behind the routes. */
  readonly auth: AuthService
  /** The stores the services use (sessions list, user lookups, readiness). */
  readonly stores: Stores
  /** The settings the services were built with. */
  readonly settings: TesseraSettings
  /** Where the API routes are mounted. Default `/api`. */
  readonly prefix?: string
  /** Mount the API routes; false leaves only authentication (`request.user`) and guards. Default true. */
  readonly routes?: boolean
  /** Throttle rates. */
  readonly throttleRates?: ThrottleRates
  /** Where throttle counters live. Default: in process memory. */
  readonly throttleStore?: ThrottleStore
  /** Mount simplejwt's sliding-token views (`/token/sliding/`, `/token/sliding/refresh/`). Default false. */
  readonly slidingTokens?: boolean
  /** Extra members of the login and refresh bodies; simplejwt's bodies when unset. */
  readonly responseExtras?: {
    /** Add `user` (`id`, `username`, ...) to the login body. */
    readonly user?: boolean
    /** Add `access_expires_at` (ISO 8601) to the login and refresh bodies. */
    readonly accessExpiresAt?: boolean
  }
  /**
   * How tokens travel: simplejwt's bodies and bearer header (default), HttpOnly cookies with
   * CSRF protection, or both. Cookie modes register `@fastify/cookie` unless the app has it.
   */
  readonly transport?: TokenTransportOptions
  /**
   * Mount djoser's routes (`/auth/users/...`, `/auth/jwt/...`) beside the API. The mail flows
   * need the services' `mail` option. Default: not mounted.
   */
  readonly djoser?: DjoserRouteOptions | false
  /**
   * The key ring behind `/admin/keys/`; without it (keys from `SIGNING_KEY`) the listing is
   * empty and rotations are refused with a 400.
   */
  readonly adminKeys?: AdminKeyRing
  /** Seconds a loaded user stays cached for authentication. Default 5. */
  readonly userCacheTtl?: number
}
