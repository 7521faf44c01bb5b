import type { LockManagerLike, SessionEndReason } from './tab-sync.js'
import type { TokenStorage } from './token-storage.js'
import type { WebAuthnCeremonies } from './webauthn-ceremonies.js'

/** Where the trusted-device token lives (bearer mode). */
export interface DeviceTokenStore {
  get(): string | null
  set(token: string | null): void
}

/** The API paths the client calls; the defaults are Tessera's (simplejwt's for the tokens). */
export interface ClientPaths {
  readonly login: string
  readonly refresh: string
  readonly logout: string
  readonly mfa: string
  readonly register: string
  readonly me: string
  readonly sessions: string
  readonly logoutAll: string
  readonly csrf: string
  /** djoser's account mail flows. */
  readonly resetPassword: string
  readonly resetPasswordConfirm: string
  readonly activation: string
  readonly resendActivation: string
  /** Passkeys: the ceremonies (options, then verify) and the user's list (`{id}/` appended). */
  readonly passkeyRegisterOptions: string
  readonly passkeyRegisterVerify: string
  readonly passkeyLoginOptions: string
  readonly passkeyLoginVerify: string
  readonly passkeys: string
}

/** Options of {@link createClient}. */
export interface ClientOptions {
  /** Where the API is: `https://api.example.com` (paths are added to it), or `''` for this origin. */
  readonly baseUrl: string
  /**
   * `bearer` (default): the tokens are kept by the client (see `storage`) and sent in
   * `Authorization`; simplejwt's protocol, so it works against a Django backend too. `cookie`:
   * the server keeps them in HttpOnly cookies (`TOKEN_TRANSPORT=cookie`); the client sends
   * `credentials: 'include'` and the CSRF header.
   */
  readonly transport?: 'bearer' | 'cookie'
  /**
   * Where the session is kept. Default: in memory (bearer), or `localStorage` when there is one
   * (cookie mode keeps only the access cookie's expiry there, no secret), so tabs share it.
   */
  readonly storage?: TokenStorage
  /** Called when the session ends other than by this tab's own logout: sign the user in again. */
  readonly onSessionEnd?: (reason: SessionEndReason) => void
  /** Refresh this many seconds before the access token expires (at most a quarter of its life). Default 30. */
  readonly refreshLeewaySeconds?: number
  /** Share refreshes and logouts between the tabs of a browser. Default: true in a page. */
  readonly crossTab?: boolean
  /** Override API paths (e.g. djoser's `/auth/jwt/create/`). */
  readonly paths?: Partial<ClientPaths>
  /** The fetch to use. Default `globalThis.fetch`. */
  readonly fetch?: typeof fetch
  /** The clock, epoch milliseconds (tests). Default `Date.now`. */
  readonly now?: () => number
  /**
   * Bearer mode: where a trusted device's token is kept (`remember_device` at the second factor),
   * sent with every later login to skip that step. It outlives logouts. Default: in memory; pass
   * e.g. `webStorage(localStorage, 'tessera.device')`-like `{ get, set }` to keep it across
   * reloads. Cookie mode keeps it in an HttpOnly cookie instead.
   */
  readonly deviceTokenStore?: DeviceTokenStore
  /** The Web Locks implementation. Default `navigator.locks` when there is one. */
  readonly locks?: LockManagerLike
  /**
   * The browser's passkey ceremonies. Default: `@simplewebauthn/browser` (loaded on the first
   * passkey call); tests pass a software authenticator.
   */
  readonly webauthn?: WebAuthnCeremonies
}

/** The default API paths. */
export const DEFAULT_PATHS: ClientPaths = Object.freeze({
  login: '/api/token/',
  refresh: '/api/token/refresh/',
  logout: '/api/token/blacklist/',
  mfa: '/api/token/mfa/',
  register: '/api/register/',
  me: '/api/me/',
  sessions: '/api/sessions/',
  logoutAll: '/api/logout/all/',
  csrf: '/api/csrf/',
  resetPassword: '/auth/users/reset_password/',
  resetPasswordConfirm: '/auth/users/reset_password_confirm/',
  activation: '/auth/users/activation/',
  resendActivation: '/auth/users/resend_activation/',
  passkeyRegisterOptions: '/api/passkeys/register/options/',
  passkeyRegisterVerify: '/api/passkeys/register/verify/',
  passkeyLoginOptions: '/api/passkeys/login/options/',
  passkeyLoginVerify: '/api/passkeys/login/verify/',
  passkeys: '/api/passkeys/',
})
