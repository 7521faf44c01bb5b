import type { KeyEncryptionKey } from '../keys/key-encryption.js'
import type { AccountMailOptions } from '../mail/account-mail-options.js'
import { PasswordHasher } from '../passwords/password-hasher.js'
import type { PasswordValidationOptions } from '../passwords/password-validators.js'
import type { TesseraSettings } from '../settings/settings.js'
import type { TrustedDeviceRecord } from '../stores/mfa-store.js'
import type { Stores } from '../stores/stores.js'
import type { UserRecord } from '../stores/user-store.js'
import type { RevocationCheck } from '../tokens/revocation-check.js'
import { createTokenEngine, type TokenEngine } from '../tokens/token-engine.js'
import type { IssuedToken, TokenSubject } from '../tokens/token-issuer.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import { type Clock, systemClock } from '../tokens/token-types.js'
import type { ProfileFields } from '../users/profile-fields.js'
import { changePassword, updateProfile } from './account.js'
import {
  deleteAccount,
  setPassword,
  setUsername,
  updateDjoserProfile,
} from './account-credentials.js'
import {
  activateAccount,
  confirmEmailChange,
  confirmPasswordReset,
  confirmUsernameReset,
  requestPasswordReset,
  requestUsernameReset,
  resendActivation,
} from './account-links.js'
import { BackgroundTasks } from './account-mail.js'
import { AdminService } from './admin-service.js'
import { authenticate, type LoginOptions, type LoginResult, login, startSession } from './login.js'
import {
  confirmTotp,
  disableTotp,
  listTrustedDevices,
  type MfaResetActor,
  type MfaStatus,
  mfaStatus,
  regenerateRecoveryCodes,
  requireStaffMfa,
  resetMfa,
  revokeTrustedDevice,
  setupTotp,
  type TotpSetup,
} from './mfa-enrolment.js'
import {
  completeMfaLogin,
  type MfaLoginInput,
  type MfaLoginResult,
  verifyMfaToken,
} from './mfa-login.js'
import type { PasskeyOptions } from './passkey-options.js'
import { PasskeyService } from './passkey-service.js'
import { type RegisterInput, register } from './registration.js'
import { flushExpired, logout, revokeAllForUser, revokeSession } from './revocation.js'
import { type RefreshResult, rotateRefresh } from './rotation.js'
import {
  type LoginField,
  type RequestContext,
  type RevocationWriter,
  type ServiceContext,
  storeRevocationWriter,
} from './service-context.js'
import type { SessionEnding } from './session-endings.js'
import { obtainSlidingToken, refreshSlidingToken } from './sliding.js'
import type { TokenClaimsLoader } from './token-claims.js'
import { verifyToken } from './verification.js'

/** Options of {@link AuthService}. */
export interface AuthServiceOptions {
  readonly stores: Stores
  readonly settings: TesseraSettings
  /** Token issuer and verifier; built from `settings` when omitted. */
  readonly tokens?: TokenEngine<TokenSubject>
  /** Password hasher; argon2id at OWASP parameters when omitted. */
  readonly hasher?: PasswordHasher
  /** Epoch-seconds clock. */
  readonly clock?: Clock
  /** Extra user fields declared in configuration. */
  readonly profileFields?: ProfileFields
  /** Options of Django's password validators. */
  readonly passwordValidation?: PasswordValidationOptions
  /** Seconds a consumed refresh token may be retried for the same successor. Default 0. */
  readonly reuseInterval?: number
  /**
   * Claims to add to every new session's tokens (`tokenClaimsLoader(TOKEN_CLAIMS, stores)`):
   * staff flags, groups, permissions... for resource servers. Default: none.
   */
  readonly tokenClaims?: TokenClaimsLoader
  /**
   * Revocation across processes: the verifier asks `view` on every request, and logouts, ended
   * sessions, cut-offs and user changes are written through `sync` (store, then view, then
   * bus). When `tokens` is given, its verifier must have been built with the same view. Without
   * `view` (an administrative tool that verifies no access token), revocations are still
   * written through `sync`. Without either, revocations go to the store only.
   */
  readonly revocation?: { readonly view?: RevocationCheck; readonly sync: RevocationWriter }
  /**
   * Seals TOTP secrets at rest with AES-256-GCM (`KeyEncryptionKey.parse(KEY_ENCRYPTION_KEY)`);
   * without it they are stored as base32. Secrets sealed before stay readable only with it.
   */
  readonly keyEncryptionKey?: KeyEncryptionKey | undefined
  /**
   * The account mail flows (activation, resets, confirmations, email changes): messages go to
   * the outbox of `stores.mail`. Without it, those flows throw a TypeError.
   */
  readonly mail?: AccountMailOptions
  /**
   * What logins name the user by (djoser's `LOGIN_FIELD`): `username` (the default) or `email`,
   * which then must be unique without regard to case (registration refuses a taken one).
   */
  readonly loginField?: LoginField
  /**
   * The relying party of passkeys (WebAuthn): RP ID, name, origins, user verification. Without
   * it, passkeys are off: the passkey methods throw a TypeError and no login asks for one.
   */
  readonly passkeys?: PasskeyOptions
}

/**
 * Tessera's authentication services over one set of stores: registration, login, refresh with
 * rotation and reuse detection, logout, logout everywhere. Framework-agnostic: the HTTP layers
 * turn its results and typed errors into simplejwt's bodies.
 *
 * @example
 * const auth = new AuthService({ stores: createMemoryStores(), settings: loadSettings() })
 * const { access, refresh } = await auth.login('peter', 'secret', { ip, device })
 */
export class AuthService {
  readonly #context: ServiceContext
  #admin: AdminService | undefined
  #passkeys: PasskeyService | undefined

  constructor(options: AuthServiceOptions) {
    const reuseInterval = options.reuseInterval ?? 0
    if (!Number.isFinite(reuseInterval) || reuseInterval < 0 || reuseInterval > 10) {
      // RFC 9700 4.14.2 / security.md: a grace window of 10 s or less.
      throw new TypeError('AuthService: reuseInterval must be between 0 and 10 seconds')
    }
    const clock = options.clock ?? systemClock
    this.#context = {
      stores: options.stores,
      settings: options.settings,
      tokens:
        options.tokens ??
        createTokenEngine(options.settings, {
          clock,
          ...(options.revocation?.view === undefined
            ? {}
            : { revocation: options.revocation.view }),
        }),
      hasher: options.hasher ?? new PasswordHasher(),
      clock,
      profileFields: options.profileFields,
      passwordValidation: options.passwordValidation,
      reuseInterval,
      tokenClaims: options.tokenClaims,
      revocation:
        options.revocation?.sync ?? storeRevocationWriter(options.stores.revocations, clock),
      keyEncryptionKey: options.keyEncryptionKey,
      mail: options.mail,
      loginField: options.loginField ?? 'username',
      background: new BackgroundTasks(),
      passkeys: options.passkeys,
    }
  }

  /**
   * True when a login would have to wait for a password-hashing slot or queue place right now:
   * HTTP layers then {@link waitForPasswordHasher} before reading the body.
   */
  get passwordHasherBusy(): boolean {
    return this.#context.hasher.busy
  }

  /**
   * Resolves `true` once a login would get a password-hashing slot or queue place, `false` when
   * none freed up within the hasher's `maxWaitMs`: HTTP layers then answer 503 without reading
   * the body. See {@link PasswordHasher.waitForRoom}.
   */
  waitForPasswordHasher(): Promise<boolean> {
    return this.#context.hasher.waitForRoom()
  }

  /** The token issuer and verifier in use. */
  get tokens(): TokenEngine<TokenSubject> {
    return this.#context.tokens
  }

  /**
   * Registers a user; throws `ValidationError` with DRF field errors. With `SEND_ACTIVATION_EMAIL`
   * the account is inactive and an activation mail is queued; `retype` asks for djoser's
   * `re_password`.
   */
  register(
    input: RegisterInput,
    request?: RequestContext,
    options?: { readonly retype?: boolean },
  ): Promise<UserRecord> {
    return register(this.#context, input, request, options)
  }

  /** What logins name the user by (`LOGIN_FIELD`). */
  get loginField(): LoginField {
    return this.#context.loginField
  }

  /** The account mail settings, when mail is configured. */
  get mail(): AccountMailOptions | undefined {
    return this.#context.mail
  }

  /** Resolves once the work left after answers (reset requests' lookups and mails) is done. */
  backgroundIdle(): Promise<void> {
    return this.#context.background.idle()
  }

  /** djoser's activation: `{uid, token}`; throws `ValidationError` or `StaleTokenError`. */
  activate(input: Readonly<Record<string, unknown>>, request: RequestContext): Promise<void> {
    return activateAccount(this.#context, input, request)
  }

  /** djoser's resend_activation: `{email}`; same answer for every address. */
  resendActivation(input: Readonly<Record<string, unknown>>): Promise<void> {
    return resendActivation(this.#context, input)
  }

  /**
   * djoser's reset_password: `{email}`. Answers the same, in the same time, for every address:
   * the lookup and the mail are done after the answer (see {@link backgroundIdle}).
   */
  requestPasswordReset(input: Readonly<Record<string, unknown>>): Promise<void> {
    return requestPasswordReset(this.#context, input)
  }

  /** djoser's reset_password_confirm; ends every session of the user. */
  confirmPasswordReset(
    input: Readonly<Record<string, unknown>>,
    options: { readonly retype: boolean },
    request: RequestContext,
  ): Promise<void> {
    return confirmPasswordReset(this.#context, input, options, request)
  }

  /** djoser's reset_username: `{email}`, answered like {@link requestPasswordReset}. */
  requestUsernameReset(input: Readonly<Record<string, unknown>>): Promise<void> {
    return requestUsernameReset(this.#context, input)
  }

  /** djoser's reset_username_confirm. */
  confirmUsernameReset(
    input: Readonly<Record<string, unknown>>,
    options: { readonly retype: boolean },
    request: RequestContext,
  ): Promise<void> {
    return confirmUsernameReset(this.#context, input, options, request)
  }

  /** Confirms an email change from the link mailed to the new address. */
  confirmEmailChange(
    input: Readonly<Record<string, unknown>>,
    request: RequestContext,
  ): Promise<UserRecord> {
    return confirmEmailChange(this.#context, input, request)
  }

  /** djoser's set_password: `{current_password, new_password}`; ends every session. */
  setPassword(
    user: UserRecord,
    input: Readonly<Record<string, unknown>>,
    options: { readonly retype: boolean },
    request: RequestContext,
  ): Promise<void> {
    return setPassword(this.#context, user, input, options, request)
  }

  /** djoser's set_username: `{current_password, new_username}`. */
  setUsername(
    user: UserRecord,
    input: Readonly<Record<string, unknown>>,
    options: { readonly retype: boolean },
    request: RequestContext,
  ): Promise<UserRecord> {
    return setUsername(this.#context, user, input, options, request)
  }

  /** djoser's `DELETE users/me/`: `{current_password}`. */
  deleteAccount(
    user: UserRecord,
    input: Readonly<Record<string, unknown>>,
    request: RequestContext,
  ): Promise<void> {
    return deleteAccount(this.#context, user, input, request)
  }

  /** djoser's `PUT`/`PATCH users/me/`: only the email may change. */
  updateDjoserProfile(
    user: UserRecord,
    input: Readonly<Record<string, unknown>>,
  ): Promise<UserRecord> {
    return updateDjoserProfile(this.#context, user, input)
  }

  /**
   * The active user with this username and password, or undefined (one verify on every path);
   * throws `ValidationError` for a blank credential or one with U+0000 or a lone surrogate.
   */
  authenticate(username: unknown, password: unknown): Promise<UserRecord | undefined> {
    return authenticate(this.#context, username, password)
  }

  /**
   * Authenticates and starts a session; throws `AuthenticationFailedError` or `ValidationError`,
   * and `MfaRequiredError` (carrying the `mfa` token) for an account with a second factor,
   * unless `options.deviceToken` names a device it trusts.
   */
  login(
    username: unknown,
    password: unknown,
    request: RequestContext,
    options?: LoginOptions,
  ): Promise<LoginResult> {
    return login(this.#context, username, password, request, options)
  }

  /**
   * Verifies an `mfa` token without spending it, so the caller can throttle per token and per
   * account (its `jti` and `userId`) before any code is checked; throws the token error.
   */
  verifyMfaToken(token: string): VerifiedToken {
    return verifyMfaToken(this.#context, token)
  }

  /**
   * The second step of a login: a TOTP code or a recovery code for the user of a verified `mfa`
   * token. Throws `MfaCodeInvalidError` for any wrong code, `TokenRevokedError` for a spent token.
   */
  completeMfaLogin(
    mfaToken: VerifiedToken,
    input: MfaLoginInput,
    request: RequestContext,
  ): Promise<MfaLoginResult> {
    return completeMfaLogin(this.#context, mfaToken, input, request)
  }

  /** Whether the user has a second factor on, a setup pending, and recovery codes left. */
  mfaStatus(user: UserRecord): Promise<MfaStatus> {
    return mfaStatus(this.#context, user)
  }

  /** Starts a TOTP enrolment after checking the password; throws `ValidationError`. */
  setupTotp(user: UserRecord, password: unknown): Promise<TotpSetup> {
    return setupTotp(this.#context, user, password)
  }

  /** Confirms the pending TOTP enrolment with a code; returns the recovery codes (shown once). */
  confirmTotp(user: UserRecord, code: unknown, request: RequestContext): Promise<string[]> {
    return confirmTotp(this.#context, user, code, request)
  }

  /** Turns TOTP off (password and a code or recovery code); trusted devices go too. */
  disableTotp(
    user: UserRecord,
    password: unknown,
    input: Pick<MfaLoginInput, 'code' | 'recoveryCode'>,
    request: RequestContext,
  ): Promise<void> {
    return disableTotp(this.#context, user, password, input, request)
  }

  /** Replaces the recovery codes (password and a code or recovery code); returns the new ones. */
  regenerateRecoveryCodes(
    user: UserRecord,
    password: unknown,
    input: Pick<MfaLoginInput, 'code' | 'recoveryCode'>,
    request: RequestContext,
  ): Promise<string[]> {
    return regenerateRecoveryCodes(this.#context, user, password, input, request)
  }

  /** Removes a user's second factors and trusted devices (an admin or operator); audited. */
  resetMfa(userId: string, actor: MfaResetActor): Promise<boolean> {
    return resetMfa(this.#context, userId, actor)
  }

  /** Devices that skip the second factor for a user now, newest first. */
  listTrustedDevices(userId: string): Promise<TrustedDeviceRecord[]> {
    return listTrustedDevices(this.#context, userId)
  }

  /** Stops trusting one device of a user; false when it is not theirs or not trusted. */
  revokeTrustedDevice(userId: string, id: string, request: RequestContext): Promise<boolean> {
    return revokeTrustedDevice(this.#context, userId, id, request)
  }

  /** With `MFA_REQUIRED_FOR_STAFF`: throws `MfaEnrollmentRequiredError` for staff without MFA. */
  requireStaffMfa(user: UserRecord): Promise<void> {
    return requireStaffMfa(this.#context, user)
  }

  /** Starts a session for an already authenticated user. */
  issueTokenPair(user: UserRecord, request: RequestContext): Promise<Omit<LoginResult, 'user'>> {
    return startSession(this.#context, user, request)
  }

  /** Refreshes (and, by default, rotates) a refresh token. */
  rotateRefresh(token: string, request: RequestContext): Promise<RefreshResult> {
    return rotateRefresh(this.#context, token, request)
  }

  /**
   * Logs out the session of a refresh token, and the presented access token when given (a
   * verified token of the same user); returns the session id.
   */
  logout(token: string, request: RequestContext, accessToken?: VerifiedToken): Promise<string> {
    return logout(this.#context, token, request, accessToken)
  }

  /**
   * Ends one session (a refresh-token family) and every token naming it, on every process;
   * false when it was not live. The caller checks that whoever acts may end it.
   */
  revokeSession(
    session: { readonly id: string; readonly userId: string },
    ending: SessionEnding,
  ): Promise<boolean> {
    return revokeSession(this.#context, session, ending)
  }

  /** Ends every session of a user and refuses every token issued until now; returns the cut-off. */
  revokeAllForUser(userId: string, ending: SessionEnding): Promise<number> {
    return revokeAllForUser(this.#context, userId, ending)
  }

  /**
   * Tells every process that a user's row changed outside the services (an admin tool, an
   * import), so their user caches drop it now rather than at their TTL.
   */
  userChanged(userId: string): Promise<void> {
    return this.#context.revocation.userChanged(userId)
  }

  /** Calls `listener` with the id of every user whose row changed, here or on another process. */
  onUserChange(listener: (userId: string) => void): void {
    this.#context.revocation.onUserChange(listener)
  }

  /** simplejwt's sliding login: a sliding token that opens a session. */
  obtainSlidingToken(
    username: unknown,
    password: unknown,
    request: RequestContext,
  ): Promise<IssuedToken> {
    return obtainSlidingToken(this.#context, username, password, request)
  }

  /** Renews a sliding token within its `refresh_exp`, unless its session ended. */
  refreshSlidingToken(token: string): Promise<IssuedToken> {
    return refreshSlidingToken(this.#context, token)
  }

  /** Verifies a token of any type, honouring revocation (the verify endpoint). */
  verifyToken(token: string): Promise<VerifiedToken> {
    return verifyToken(this.#context, token)
  }

  /** Updates what a user may change about themselves; throws `ValidationError`. */
  updateProfile(user: UserRecord, input: Readonly<Record<string, unknown>>): Promise<UserRecord> {
    return updateProfile(this.#context, user, input)
  }

  /**
   * Changes a password, ends every session, and opens a fresh one for this device; throws
   * `ValidationError` for a refused field (blank, U+0000...), a wrong old password or a new one
   * the validators refuse.
   */
  changePassword(
    user: UserRecord,
    oldPassword: string,
    newPassword: string,
    request: RequestContext,
  ): Promise<Omit<LoginResult, 'user'>> {
    return changePassword(this.#context, user, oldPassword, newPassword, request)
  }

  /** Passkeys (WebAuthn), or undefined when they are off (no `passkeys` option). */
  get passkeys(): PasskeyService | undefined {
    if (this.#context.passkeys === undefined) return undefined
    this.#passkeys ??= new PasskeyService(this.#context)
    return this.#passkeys
  }

  /** The admin changes (users, groups, permissions, keys, outbox), audited with their actor. */
  get admin(): AdminService {
    this.#admin ??= new AdminService(this.#context)
    return this.#admin
  }

  /** The stores behind the service. */
  get stores(): Stores {
    return this.#context.stores
  }

  /** The settings the service runs with. */
  get settings(): TesseraSettings {
    return this.#context.settings
  }

  /** Deletes expired sessions, tokens and revocations. */
  flushExpired(): Promise<number> {
    return flushExpired(this.#context)
  }
}
