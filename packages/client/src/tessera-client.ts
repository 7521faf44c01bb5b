import { apiError, SessionEndedError, TesseraApiError } from './client-errors.js'
import {
  type ClientOptions,
  type ClientPaths,
  DEFAULT_PATHS,
  type DeviceTokenStore,
} from './client-options.js'
import { jwtLifetime } from './jwt-expiry.js'
import { type SessionEndReason, TabSync } from './tab-sync.js'
import {
  memoryStorage,
  type StoredSession,
  type TokenStorage,
  webStorage,
} from './token-storage.js'
import { browserCeremonies, type WebAuthnCeremonies } from './webauthn-ceremonies.js'

/** How a refresh ended: a fresh access token, a session that is over, or a server not reached. */
type RefreshOutcome = 'refreshed' | 'ended' | 'unavailable'

/** The second step of a login for a user with two-factor authentication on. */
export interface MfaStep {
  readonly mfaRequired: true
  /** The short-lived token of this login attempt (sent back with the code). */
  readonly mfaToken: string
  /** The user's second factors as the server listed them: `totp`, `passkey`. */
  readonly methods: readonly string[]
  /** Completes the login with a TOTP code; `rememberDevice` skips the step on this device later. */
  submitCode(code: string, options?: { readonly rememberDevice?: boolean }): Promise<void>
  /** Completes the login with one of the user's recovery codes (each works once). */
  submitRecoveryCode(code: string): Promise<void>
  /** Completes the login with one of the user's passkeys (the browser asks for it). */
  submitPasskey(options?: { readonly rememberDevice?: boolean }): Promise<void>
}

/** A passkey as the server lists it (never its key). */
export interface PasskeyInfo {
  readonly id: string
  readonly name: string
  readonly created_at: string
  readonly last_used_at: string | null
  readonly transports: readonly string[]
  readonly backed_up: boolean
  readonly possibly_cloned?: boolean
}

/** What `login()` resolves to: signed in, or a second factor to give first. */
export type LoginResult = { readonly mfaRequired: false } | MfaStep

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/**
 * A Tessera (or simplejwt) session in a browser or in Node. See {@link createClient}.
 */
export class TesseraClient {
  readonly #base: string
  readonly #cookie: boolean
  readonly #storage: TokenStorage
  readonly #paths: ClientPaths
  readonly #fetch: typeof fetch
  readonly #now: () => number
  readonly #leeway: number
  readonly #onSessionEnd: ((reason: SessionEndReason) => void) | undefined
  readonly #tabs: TabSync
  readonly #device: DeviceTokenStore
  readonly #webauthn: WebAuthnCeremonies
  #refreshing: Promise<RefreshOutcome> | undefined
  #csrf: Promise<string> | undefined
  #timer: ReturnType<typeof setTimeout> | undefined

  constructor(options: ClientOptions) {
    this.#base = options.baseUrl.replace(/\/+$/, '')
    this.#cookie = options.transport === 'cookie'
    this.#storage = options.storage ?? defaultStorage(this.#cookie)
    this.#paths = { ...DEFAULT_PATHS, ...options.paths }
    this.#fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init))
    this.#now = options.now ?? Date.now
    this.#leeway = (options.refreshLeewaySeconds ?? 30) * 1000
    this.#onSessionEnd = options.onSessionEnd
    this.#device = options.deviceTokenStore ?? memoryDeviceStore()
    this.#webauthn = options.webauthn ?? browserCeremonies()
    const crossTab = options.crossTab ?? typeof document !== 'undefined'
    this.#tabs = new TabSync(`tessera:${this.#base}`, crossTab, options.locks)
    this.#tabs.onMessage((message) => {
      if (message.type === 'session') this.#schedule()
      else this.#end(message.reason, { tellTabs: false, tellSelf: true })
    })
    // A session kept from an earlier page load refreshes on time too.
    this.#schedule()
  }

  /** True while the client holds a session (it may still turn out to be over on the server). */
  get signedIn(): boolean {
    return this.#storage.get() !== null
  }

  /**
   * A drop-in `fetch` for the API: adds the bearer token (or, in cookie mode, the cookies and the
   * CSRF header), refreshes shortly before the access token expires, and on a 401 refreshes once
   * and sends the request once more. N requests failing at once cause one refresh, and across
   * tabs one tab refreshes for all. A refresh that is refused ends the session (`onSessionEnd`)
   * and the 401 is returned as it came.
   */
  async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
    let template = new Request(typeof input === 'string' ? this.#url(input) : input, init)
    if (this.#cookie) template = new Request(template, { credentials: 'include' })
    let session = this.#storage.get()
    if (session !== null && this.#due(session)) {
      await this.#refresh(session)
      session = this.#storage.get()
    }
    const first = await this.#send(template, session)
    if (first.status !== 401 || session === null) return first
    if ((await this.#refresh(session)) !== 'refreshed') return first
    return this.#send(template, this.#storage.get())
  }

  /**
   * Signs in with the login view's fields (`{ username, password }`, or `{ email, password }`
   * where the server logs in by email). Resolves to `{ mfaRequired: false }`, or to the second
   * step when the user has two-factor authentication on.
   *
   * @throws {TesseraApiError} The server's refusal: 401 wrong credentials, 400 field errors, 429.
   */
  async login(credentials: Readonly<Record<string, string>>): Promise<LoginResult> {
    const device = this.#cookie ? null : this.#device.get()
    const response = await this.#post(
      this.#paths.login,
      device === null ? credentials : { ...credentials, device_token: device },
    )
    return this.#loginAnswer(response)
  }

  /**
   * Signs in with a passkey, without a password: the browser offers the passkeys it holds for
   * the site (usernameless), or with `username` only that user's. Resolves like {@link login}
   * (a second step only when the server skipped user verification and the user has TOTP).
   *
   * @throws {TesseraApiError} 401 `passkey_invalid` for a passkey the server refuses.
   * @throws The browser's error (`NotAllowedError`) when the user cancels.
   */
  async loginWithPasskey(options: { readonly username?: string } = {}): Promise<LoginResult> {
    const body = options.username === undefined ? {} : { username: options.username }
    const optionsJSON = await json<Record<string, unknown>>(
      await this.#post(this.#paths.passkeyLoginOptions, body),
    )
    const answer = await this.#webauthn.startAuthentication(optionsJSON)
    const device = this.#cookie ? null : this.#device.get()
    const response = await this.#post(this.#paths.passkeyLoginVerify, {
      response: answer,
      ...(device === null ? {} : { device_token: device }),
    })
    return this.#loginAnswer(response)
  }

  /**
   * Adds a passkey to the signed-in account (the browser creates it); resolves to the passkey
   * as listed. `name` labels it in the list (default `Passkey`).
   */
  async registerPasskey(options: { readonly name?: string } = {}): Promise<PasskeyInfo> {
    const optionsJSON = await json<Record<string, unknown>>(
      await this.#authenticated(this.#paths.passkeyRegisterOptions, jsonInit('POST', {})),
    )
    const answer = await this.#webauthn.startRegistration(optionsJSON)
    const body = { response: answer, ...(options.name === undefined ? {} : { name: options.name }) }
    return json(
      await this.#authenticated(this.#paths.passkeyRegisterVerify, jsonInit('POST', body)),
    )
  }

  /** The signed-in user's passkeys, oldest first. */
  async passkeys(): Promise<PasskeyInfo[]> {
    return json(await this.#authenticated(this.#paths.passkeys))
  }

  /** Renames one of the user's passkeys. */
  async renamePasskey(id: string, name: string): Promise<PasskeyInfo> {
    const path = `${this.#paths.passkeys}${encodeURIComponent(id)}/`
    return json(await this.#authenticated(path, jsonInit('PATCH', { name })))
  }

  /** Deletes one of the user's passkeys: it no longer signs in. */
  async deletePasskey(id: string): Promise<void> {
    const path = `${this.#paths.passkeys}${encodeURIComponent(id)}/`
    await done(await this.#authenticated(path, { method: 'DELETE' }))
  }

  /** A login view's answer: the session, the second step, or the refusal. */
  async #loginAnswer(response: Response): Promise<LoginResult> {
    if (response.ok) {
      this.#begin(await response.json())
      return { mfaRequired: false }
    }
    const error = await apiError(response)
    const mfaToken = error.body?.mfa_token
    if (error.code === 'mfa_required' && typeof mfaToken === 'string') {
      const methods = error.body?.methods
      return this.#mfaStep(
        mfaToken,
        Array.isArray(methods) ? methods.filter((m) => typeof m === 'string') : ['totp'],
      )
    }
    throw error
  }

  /** Creates an account (`POST /api/register/`) and resolves to the server's answer. */
  async register(fields: Readonly<Record<string, unknown>>): Promise<Record<string, unknown>> {
    return json(await this.#post(this.#paths.register, fields))
  }

  /**
   * Ends this session on the server (its refresh token and access token are revoked; in cookie
   * mode the cookies cleared) and here, and signs the other tabs out (their `onSessionEnd`).
   */
  async logout(): Promise<void> {
    const session = this.#storage.get()
    try {
      if (this.#cookie) await this.#post(this.#paths.logout, {})
      else if (session?.refresh !== undefined) {
        await this.#post(this.#paths.logout, { refresh: session.refresh }, session.access)
      }
    } finally {
      this.#end('signed_out', { tellTabs: true, tellSelf: false })
    }
  }

  /** Ends every session of the user, on every device, then this one here. */
  async logoutAll(): Promise<void> {
    try {
      const response = await this.fetch(this.#paths.logoutAll, jsonInit('POST', {}))
      if (!response.ok && response.status !== 401) throw await apiError(response)
    } finally {
      this.#end('signed_out', { tellTabs: true, tellSelf: false })
    }
  }

  /** The signed-in user's profile (`GET /api/me/`). */
  async me(): Promise<Record<string, unknown>> {
    return json(await this.#authenticated(this.#paths.me))
  }

  /** The user's live sessions, one per device (`GET /api/sessions/`). */
  async sessions(): Promise<Record<string, unknown>[]> {
    return json(await this.#authenticated(this.#paths.sessions))
  }

  /**
   * Mails a password-reset link to `email` (djoser's `reset_password`). The answer is the same
   * whether or not an account has that address.
   */
  async requestPasswordReset(email: string): Promise<void> {
    await done(await this.#post(this.#paths.resetPassword, { email }))
  }

  /**
   * Sets a new password from the `uid` and `token` of a reset link (djoser's
   * `reset_password_confirm`). The server ends every session of the user, so this client's
   * session, if it is that user's, ends too.
   */
  async confirmPasswordReset(fields: {
    readonly uid: string
    readonly token: string
    readonly new_password: string
    readonly re_new_password?: string
  }): Promise<void> {
    await done(await this.#post(this.#paths.resetPasswordConfirm, fields))
    if (this.signedIn) this.#end('signed_out', { tellTabs: true, tellSelf: false })
  }

  /** Activates an account from the `uid` and `token` of its activation link. */
  async activate(fields: { readonly uid: string; readonly token: string }): Promise<void> {
    await done(await this.#post(this.#paths.activation, fields))
  }

  /** Mails the activation link again (the same answer for any address). */
  async resendActivation(email: string): Promise<void> {
    await done(await this.#post(this.#paths.resendActivation, { email }))
  }

  /**
   * Cookie mode after a reload with no stored state: asks the server whether the browser still
   * has a session (its refresh cookie). Resolves true when it does. Bearer mode: whether a
   * session is stored.
   */
  async resume(): Promise<boolean> {
    if (!this.#cookie) return this.signedIn
    const response = await this.#post(this.#paths.refresh, {})
    if (!response.ok) return false
    this.#begin(await response.json())
    return true
  }

  /** Stops the refresh timer and the tab channel (Node processes, tests). */
  close(): void {
    clearTimeout(this.#timer)
    this.#tabs.close()
  }

  #url(path: string): string {
    return /^[a-z][a-z0-9+.-]*:/i.test(path) ? path : `${this.#base}${path}`
  }

  async #authenticated(path: string, init?: RequestInit): Promise<Response> {
    if (!this.signedIn) throw new SessionEndedError(401, undefined)
    const response = await this.fetch(path, init)
    if (response.status === 401) throw new SessionEndedError(401, (await apiError(response)).body)
    return response
  }

  async #send(template: Request, session: StoredSession | null): Promise<Response> {
    const request = template.clone()
    if (!this.#cookie && session?.access !== undefined && !request.headers.has('authorization')) {
      request.headers.set('authorization', `Bearer ${session.access}`)
    }
    if (!this.#cookie || !UNSAFE.has(request.method)) return this.#fetch(request)
    request.headers.set('x-csrftoken', await this.#csrfToken())
    const response = await this.#fetch(request)
    if (!(await isCsrfFailure(response))) return response
    // The CSRF cookie went away (a browser session ended): take a fresh token, once.
    this.#csrf = undefined
    const again = template.clone()
    again.headers.set('x-csrftoken', await this.#csrfToken())
    return this.#fetch(again)
  }

  /** A JSON POST of the token views (no session needed), with cookie mode's CSRF header. */
  #post(path: string, body: unknown, bearer?: string): Promise<Response> {
    const init = jsonInit('POST', body)
    if (bearer !== undefined)
      (init.headers as Record<string, string>).authorization = `Bearer ${bearer}`
    return this.#send(new Request(this.#url(path), { ...init, ...this.#credentials() }), null)
  }

  #credentials(): RequestInit {
    return this.#cookie ? { credentials: 'include' } : {}
  }

  #csrfToken(): Promise<string> {
    this.#csrf ??= (async () => {
      const response = await this.#fetch(this.#url(this.#paths.csrf), this.#credentials())
      const body = (await json(response)) as { csrf_token?: unknown }
      if (typeof body.csrf_token !== 'string') throw new TesseraApiError(response.status, body)
      return body.csrf_token
    })()
    // A failure is not kept: the next request asks again.
    this.#csrf.catch(() => {
      this.#csrf = undefined
    })
    return this.#csrf
  }

  /** Single-flight in this tab, one tab at a time across tabs. */
  #refresh(stale: StoredSession): Promise<RefreshOutcome> {
    this.#refreshing ??= this.#tabs
      .withLock(() => this.#refreshHoldingLock(this.#marker(stale)))
      .finally(() => {
        this.#refreshing = undefined
      })
    return this.#refreshing
  }

  async #refreshHoldingLock(staleMarker: unknown): Promise<RefreshOutcome> {
    const current = this.#storage.get()
    if (current === null) return 'ended'
    // Another tab refreshed while this one waited for the lock: use its result. Presenting the
    // old refresh token again would be a reuse, and end the session of every tab.
    if (this.#marker(current) !== staleMarker && !this.#due(current)) return 'refreshed'
    if (!this.#cookie && current.refresh === undefined) {
      this.#end('refresh_failed', { tellTabs: true, tellSelf: true })
      return 'ended'
    }
    let response: Response
    try {
      response = await this.#post(
        this.#paths.refresh,
        this.#cookie ? {} : { refresh: current.refresh },
      )
    } catch {
      return 'unavailable'
    }
    if (response.ok) {
      this.#keep(await response.json(), current)
      this.#tabs.post({ type: 'session' })
      return 'refreshed'
    }
    if (response.status === 400 || response.status === 401) {
      this.#end('refresh_failed', { tellTabs: true, tellSelf: true })
      return 'ended'
    }
    return 'unavailable'
  }

  #marker(session: StoredSession): unknown {
    return this.#cookie ? session.accessExpiresAt : session.access
  }

  /** Time to refresh: a quarter of the token's life before it expires, or the leeway if shorter. */
  #due(session: StoredSession): boolean {
    const { accessExpiresAt, accessLifetime } = session
    if (accessExpiresAt === undefined) return false
    const early = Math.min(this.#leeway, (accessLifetime ?? 0) / 4)
    return this.#now() >= accessExpiresAt - early
  }

  #begin(body: unknown): void {
    this.#keep(body, null)
    this.#tabs.post({ type: 'session' })
  }

  /** Keeps the tokens (or, in cookie mode, the expiry) of a login or refresh answer. */
  #keep(body: unknown, previous: StoredSession | null): void {
    const answer = (body ?? {}) as Record<string, unknown>
    const now = this.#now()
    let lifetime: number | undefined
    let session: StoredSession
    if (this.#cookie) {
      const seconds = answer.access_expires_in
      lifetime = typeof seconds === 'number' ? seconds * 1000 : undefined
      session = {}
    } else {
      const access = String(answer.access)
      const refresh = typeof answer.refresh === 'string' ? answer.refresh : previous?.refresh
      lifetime = jwtLifetime(access)
      session = refresh === undefined ? { access } : { access, refresh }
    }
    // Some value even without an expiry: cookie mode tells tabs apart by it.
    const accessExpiresAt = lifetime === undefined ? now : now + lifetime
    this.#storage.set({
      ...session,
      accessExpiresAt: lifetime === undefined && !this.#cookie ? undefined : accessExpiresAt,
      ...(lifetime === undefined ? {} : { accessLifetime: lifetime }),
    } as StoredSession)
    this.#schedule()
  }

  #end(reason: SessionEndReason, tell: { tellTabs: boolean; tellSelf: boolean }): void {
    const had = this.#storage.get() !== null
    clearTimeout(this.#timer)
    this.#storage.set(null)
    if (tell.tellTabs) this.#tabs.post({ type: 'ended', reason })
    if (tell.tellSelf && (had || !tell.tellTabs)) this.#onSessionEnd?.(reason)
  }

  /** Arms the proactive refresh of the stored session. */
  #schedule(): void {
    clearTimeout(this.#timer)
    const session = this.#storage.get()
    if (session?.accessExpiresAt === undefined) return
    const early = Math.min(this.#leeway, (session.accessLifetime ?? 0) / 4)
    const delay = Math.max(0, session.accessExpiresAt - early - this.#now())
    this.#timer = setTimeout(() => {
      void this.#refresh(session).then((outcome) => {
        if (outcome === 'refreshed') this.#schedule()
      })
    }, delay)
    // In Node, a pending refresh must not keep the process alive.
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  #mfaStep(mfaToken: string, methods: readonly string[]): MfaStep {
    const complete = async (fields: Record<string, unknown>) => {
      const response = await this.#post(this.#paths.mfa, { mfa_token: mfaToken, ...fields })
      if (!response.ok) throw await apiError(response)
      const body = (await response.json()) as Record<string, unknown>
      if (typeof body.device_token === 'string') this.#device.set(body.device_token)
      this.#begin(body)
    }
    const remember = (options?: { readonly rememberDevice?: boolean }) =>
      options?.rememberDevice === true ? { remember_device: true } : {}
    return {
      mfaRequired: true,
      mfaToken,
      methods,
      submitCode: (code, options) => complete({ code, ...remember(options) }),
      submitRecoveryCode: (code) => complete({ recovery_code: code }),
      submitPasskey: async (options) => {
        const optionsJSON = await json<Record<string, unknown>>(
          await this.#post(this.#paths.passkeyLoginOptions, { mfa_token: mfaToken }),
        )
        const passkey = await this.#webauthn.startAuthentication(optionsJSON)
        await complete({ passkey, ...remember(options) })
      },
    }
  }
}

function memoryDeviceStore(): DeviceTokenStore {
  let token: string | null = null
  return {
    get: () => token,
    set: (value) => {
      token = value
    },
  }
}

function defaultStorage(cookie: boolean): TokenStorage {
  // Cookie mode keeps no secret, only an expiry: in localStorage every tab sees the same one.
  const local = cookie ? (globalThis as { localStorage?: Storage }).localStorage : undefined
  return local === undefined ? memoryStorage() : webStorage(local, 'tessera.cookie-session')
}

function jsonInit(method: string, body: unknown): RequestInit {
  return {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
  }
}

/** A 2xx answer with no body worth reading (djoser's 204s), or the server's error. */
async function done(response: Response): Promise<void> {
  if (!response.ok) throw await apiError(response)
}

async function json<T>(response: Response): Promise<T> {
  if (!response.ok) throw await apiError(response)
  return (await response.json()) as T
}

async function isCsrfFailure(response: Response): Promise<boolean> {
  if (response.status !== 403) return false
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { code?: unknown } | null
  return body?.code === 'csrf_failed'
}
