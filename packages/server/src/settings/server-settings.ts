import type { ProfileFieldSpec, TesseraSettings, TokenClaimName } from '@tessera/core'
import type { BrowserSettings, BrowserSettingsInput } from './browser-settings.js'
import type { MailSettings, MailSettingsInput } from './mail-settings.js'
import type { MetricsSettings, MetricsSettingsInput } from './metrics-settings.js'
import type { TlsSettings, TlsSettingsInput } from './tls-settings.js'
import type { TrustProxy } from './trust-proxy-spec.js'
import type { WebauthnSettings, WebauthnSettingsInput } from './webauthn-settings.js'

/** pino's levels, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number]

/** The levels the access log may be written at, or `off`. */
export const ACCESS_LOG_LEVELS = ['info', 'debug', 'off'] as const

/** djoser's `LOGIN_FIELD` values. */
export const LOGIN_FIELDS = ['username', 'email'] as const

/** One of {@link ACCESS_LOG_LEVELS}. */
export type AccessLogLevel = (typeof ACCESS_LOG_LEVELS)[number]

/**
 * The settings only the server reads, beside core's. Each is set like core's: `TESSERA_<NAME>`
 * in the environment, the key in `tessera.config.json`, or code.
 */
export interface ServerOnlySettings
  extends BrowserSettings,
    MailSettings,
    TlsSettings,
    MetricsSettings,
    WebauthnSettings {
  /** Directory of the SQLite file and the development signing key, absolute. Default `./.tessera`. */
  readonly DATA_DIR: string
  /**
   * `postgres://...` for PostgreSQL, `sqlite:<path>` for another SQLite file; unset (the default)
   * means SQLite in `DATA_DIR/tessera.sqlite3`. Secret: never printed.
   */
  readonly DATABASE_URL: string | undefined
  /** Address `tessera serve` listens on. Default `127.0.0.1`. */
  readonly HOST: string
  /** Port `tessera serve` listens on; 0 lets the system pick. Default `8000`. */
  readonly PORT: number
  /** Which proxies are trusted for the client address (Fastify's `trustProxy`). Default `false`. */
  readonly TRUST_PROXY: TrustProxy
  /** Log level of the JSON logs. Default `info`. */
  readonly LOG_LEVEL: LogLevel
  /**
   * The level of the access log, one line per completed request (method, route, status,
   * duration, request id, user id), or `off`. Written only when `LOG_LEVEL` lets that level
   * through. Default `info`.
   */
  readonly ACCESS_LOG: AccessLogLevel
  /**
   * Seconds a client has to send a whole request, headers and body, from its first byte (or
   * from connecting): a request not received by then is answered 408 and its connection closed,
   * so a body that stalls cannot hold a connection. 1 to 300. Default `10` (bodies are capped
   * at 16 KiB).
   */
  readonly REQUEST_TIMEOUT: number
  /**
   * Seconds an idle connection is kept open after an answer, for the client's next request;
   * 1 to 600. Default `72`, longer than the idle timeout of common load balancers (60 s), so
   * that they, not the server, close idle connections.
   */
  readonly KEEP_ALIVE_TIMEOUT: number
  /** Rate of anonymous requests per client IP (`100/min`), or null (off, the default). */
  readonly THROTTLE_ANON: string | null
  /** Rate of authenticated requests per user, or null (off, the default). */
  readonly THROTTLE_USER: string | null
  /** Login attempts per canonical username. Default `5/min`. */
  readonly THROTTLE_LOGIN_USERNAME: string | null
  /** Login attempts per client IP. Default `20/min`. */
  readonly THROTTLE_LOGIN_IP: string | null
  /** Registrations per client IP. Default `10/hour`. */
  readonly THROTTLE_REGISTER: string | null
  /** Second-factor attempts per `mfa_token`. Default `5/min`. */
  readonly THROTTLE_MFA_TOKEN: string | null
  /** Second-factor attempts per account. Default `10/hour`. */
  readonly THROTTLE_MFA_USER: string | null
  /**
   * What logins (`/api/token/`, `/auth/jwt/create/`) name the user by, djoser's `LOGIN_FIELD`:
   * `username` (default) or `email`, then the body's field and unique without regard to case.
   */
  readonly LOGIN_FIELD: (typeof LOGIN_FIELDS)[number]
  /** Mount simplejwt's sliding-token views. Default `false`. */
  readonly SLIDING_TOKENS: boolean
  /**
   * Serve the account pages at `/account/` and the staff portal at `/admin/` (`@tessera/web`).
   * They sign in with cookies: served when `TOKEN_TRANSPORT` is `cookie` or `both`. Default `true`.
   */
  readonly WEB_PAGES: boolean
  /** Seconds a rotated refresh token may be retried for the same successor, 0 to 10. Default `0`. */
  readonly REFRESH_REUSE_INTERVAL: number
  /**
   * User facts every new session's tokens carry, for resource servers (`is_staff`,
   * `is_superuser`, `groups`, `permissions`, `username`, `email`, `first_name`, `last_name`,
   * `profile.<field>`). Default none: tokens name the user only.
   */
  readonly TOKEN_CLAIMS: readonly TokenClaimName[]
  /** Extra user fields (Django's custom user model, declared). Default `[]`. */
  readonly PROFILE_FIELDS: readonly ProfileFieldSpec[]
  /**
   * `redis://...` or `rediss://...`: the revocation bus (pub/sub) and the throttle counters of
   * every instance go through this Redis. Unset (the default): no Redis. Secret: never printed.
   */
  readonly REDIS_URL: string | undefined
  /**
   * Prefix of Tessera's Redis keys and channel (`<prefix>throttle:...`, `<prefix>revocations`),
   * so deployments sharing a Redis stay apart. Default `tessera:`.
   */
  readonly REDIS_PREFIX: string
  /**
   * Seconds a process keeps answering from its revocation view after its bus went down, 0 to
   * 30. Default `0`: refuse every token (503, retry) at once until it caught up again.
   */
  readonly REVOCATION_GRACE: number
  /**
   * The key-encryption key: 32 bytes as base64url or hex. When set, private keys of the key ring
   * are stored encrypted with it (AES-256-GCM). Unset (the default): stored as PKCS#8 PEM.
   * Secret: never printed.
   */
  readonly KEY_ENCRYPTION_KEY: string | undefined
  /**
   * Seconds a key of the ring signs before every instance's timer rotates it (RS256/ES256/EdDSA
   * keys kept in the store), at least 15 minutes; null (off, the default) rotates only on
   * `tessera keys rotate`.
   */
  readonly KEY_ROTATION_INTERVAL: number | null
}

/** Every setting of the server: core's {@link TesseraSettings} and {@link ServerOnlySettings}. */
export type ServerSettings = TesseraSettings & ServerOnlySettings

/** The name of a server-only setting, e.g. `'PORT'`. */
export type ServerSettingName = keyof ServerOnlySettings

/**
 * Server settings as given in code (`loadServerSettings({ overrides })`) or in
 * `tessera.config.json`: all optional; durations also as strings (`'10s'`),
 * `TRUST_PROXY` also as a comma-separated string. A key set to `undefined` counts as not given.
 */
export type ServerSettingsInput = BrowserSettingsInput &
  MailSettingsInput &
  TlsSettingsInput &
  MetricsSettingsInput &
  WebauthnSettingsInput & {
    readonly DATA_DIR?: string
    readonly DATABASE_URL?: string
    readonly HOST?: string
    readonly PORT?: number
    readonly TRUST_PROXY?: TrustProxy | string
    readonly LOG_LEVEL?: LogLevel
    readonly REQUEST_TIMEOUT?: number | string
    readonly KEEP_ALIVE_TIMEOUT?: number | string
    readonly THROTTLE_ANON?: string | null
    readonly THROTTLE_USER?: string | null
    readonly THROTTLE_LOGIN_USERNAME?: string | null
    readonly THROTTLE_LOGIN_IP?: string | null
    readonly THROTTLE_REGISTER?: string | null
    readonly THROTTLE_MFA_TOKEN?: string | null
    readonly THROTTLE_MFA_USER?: string | null
    readonly LOGIN_FIELD?: (typeof LOGIN_FIELDS)[number]
    readonly SLIDING_TOKENS?: boolean
    readonly WEB_PAGES?: boolean
    readonly REFRESH_REUSE_INTERVAL?: number | string
    readonly TOKEN_CLAIMS?: readonly TokenClaimName[] | string
    readonly PROFILE_FIELDS?: readonly ProfileFieldSpec[]
    readonly REDIS_URL?: string
    readonly REDIS_PREFIX?: string
    readonly REVOCATION_GRACE?: number | string
    readonly KEY_ENCRYPTION_KEY?: string
    readonly KEY_ROTATION_INTERVAL?: number | string | null
  }
