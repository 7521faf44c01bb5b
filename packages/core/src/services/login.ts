import {
  AuthenticationFailedError,
  type FieldErrors,
  ValidationError,
} from '../errors/request-errors.js'
import { PasswordHasherBusyError } from '../passwords/password-errors.js'
import type { UserRecord } from '../stores/user-store.js'
import type { IssuedToken } from '../tokens/token-issuer.js'
import { newJti } from '../tokens/token-issuer.js'
import {
  CHAR_FIELD_MESSAGES,
  isBlank,
  passwordFieldProblems,
  textProblems,
} from '../users/char-field.js'
import { MAX_USERNAME_LENGTH, usernameKey } from '../users/username.js'
import { requireSecondFactor } from './mfa-login.js'
import { audit, deviceLabel, type RequestContext, type ServiceContext } from './service-context.js'

/** A new session's tokens. */
export interface LoginResult {
  readonly user: UserRecord
  readonly sessionId: string
  readonly refresh: IssuedToken
  readonly access: IssuedToken
}

/**
 * The field errors simplejwt's serializer answers before authenticating: a blank username, a
 * password its field refuses, text with U+0000 or a lone surrogate (which no account can have,
 * and PostgreSQL cannot even be asked about). Values that are not strings are left to the
 * dummy verify, as before: the HTTP layers refuse them by schema.
 */
function credentialErrors(
  field: string,
  username: unknown,
  password: unknown,
): FieldErrors | undefined {
  const errors: FieldErrors = {}
  if (typeof username === 'string') {
    const problems = isBlank(username) ? [CHAR_FIELD_MESSAGES.blank] : textProblems(username)
    if (problems.length > 0) errors[field] = problems
  }
  if (typeof password === 'string') {
    const problems = passwordFieldProblems(password)
    if (problems.length > 0) errors.password = problems
  }
  return Object.keys(errors).length > 0 ? errors : undefined
}

/**
 * Django's `authenticate()`: the active user whose password matches, or undefined. Runs exactly
 * one password verify on every path: unknown, inactive and password-less users verify against a
 * dummy hash, so neither timing nor work reveals which accounts exist. A correct password stored
 * in an old format (Django's PBKDF2, bcrypt...) or at stale argon2 parameters is re-hashed.
 *
 * Throws {@link ValidationError} with DRF's field errors, before any hash or store call, for a
 * credential no account can have: a blank username or password, U+0000 or a lone surrogate.
 * Telling these apart reveals nothing about accounts.
 */
export async function authenticate(
  context: ServiceContext,
  username: unknown,
  password: unknown,
): Promise<UserRecord | undefined> {
  const invalid = credentialErrors(context.loginField, username, password)
  if (invalid !== undefined) throw new ValidationError(invalid)
  // Wait for room before the user lookup, not after: a login refused anyway costs no query.
  if (!(await context.hasher.waitForRoom())) throw new PasswordHasherBusyError(1)
  const candidate = await findLoginUser(context, username)
  // Django's ModelBackend refuses inactive users whatever CHECK_USER_IS_ACTIVE says.
  const user = candidate?.isActive === true ? candidate : undefined
  const secret = typeof password === 'string' ? password : ''
  const result = await context.hasher.verify(secret, user?.password ?? null)
  if (!result.ok || user === undefined || typeof password !== 'string') return undefined
  if (result.needsRehash) {
    const upgraded = await context.hasher.hash(password)
    return (await context.stores.users.updateUser(user.id, { password: upgraded })) ?? user
  }
  return user
}

/** Options of {@link login}. */
export interface LoginOptions {
  /** A device token from an earlier second-factor login with `remember_device`. */
  readonly deviceToken?: unknown
}

/**
 * The user a login names: by username (its canonical key), or with `LOGIN_FIELD=email` by
 * address, case-insensitively; an address several accounts share (from before the setting)
 * names none of them rather than a guess.
 */
export async function findLoginUser(
  context: ServiceContext,
  login: unknown,
): Promise<UserRecord | undefined> {
  if (typeof login !== 'string' || login.length > 4 * MAX_USERNAME_LENGTH) return undefined
  if (context.loginField === 'username') {
    return context.stores.users.findUserByUsernameKey(usernameKey(login))
  }
  const users = await context.stores.users.findUsersByEmail(login.trim())
  return users.length === 1 ? users[0] : undefined
}

/**
 * `POST /api/token/`: authenticates, then starts a session (a refresh-token family) and returns
 * its refresh token and the access token derived from it. Throws
 * {@link AuthenticationFailedError} for every kind of failure alike, {@link ValidationError}
 * for credentials no account can have (see {@link authenticate}), and `MfaRequiredError` (with
 * an `mfa` token) when the account has a second factor and the device is not trusted.
 */
export async function login(
  context: ServiceContext,
  username: unknown,
  password: unknown,
  request: RequestContext,
  options: LoginOptions = {},
): Promise<LoginResult> {
  const user = await authenticate(context, username, password)
  if (user === undefined) {
    await audit(context, {
      type: 'login_failed',
      userId: null,
      ip: request.ip,
      data:
        typeof username === 'string' ? { username: username.slice(0, MAX_USERNAME_LENGTH) } : {},
    })
    throw new AuthenticationFailedError()
  }
  await requireSecondFactor(context, user, options.deviceToken)
  const session = await startSession(context, user, request)
  if (context.settings.UPDATE_LAST_LOGIN) {
    await context.stores.users.updateUser(user.id, { lastLogin: context.clock() })
  }
  await audit(context, {
    type: 'login_succeeded',
    userId: user.id,
    ip: request.ip,
    data: { session: session.sessionId },
  })
  return { user, ...session }
}

/**
 * Issues a refresh + access pair for `user` and records the new session family; both tokens
 * name the session (`sid`). Used by login and by any flow that signs a user in (registration
 * with auto-login, MFA, admin impersonation). Reads nothing but the `TOKEN_CLAIMS` it is told to
 * load, and never waits for the clock: a session started
 * right after a cut-off is a new session, which the cut-off does not cover (see
 * `RevocationView`).
 */
export async function startSession(
  context: ServiceContext,
  user: UserRecord,
  request: RequestContext,
): Promise<Omit<LoginResult, 'user'>> {
  const sessionId = newJti()
  const extra = await context.tokenClaims?.(user)
  const { refresh, access } = context.tokens.issuer.issueTokenPair(user, sessionId, extra)
  await recordSession(context, { sessionId, userId: user.id, request, token: refresh })
  return { sessionId, refresh, access }
}

/**
 * Stores a new session family of `userId` whose first token is `token` (a refresh token, or a
 * sliding token, which refreshes itself): the session lives as long as that token may be used.
 */
export async function recordSession(
  context: ServiceContext,
  session: {
    readonly sessionId: string
    readonly userId: string
    readonly request: RequestContext
    /** The token and the last moment (epoch seconds) it may be used to get another. */
    readonly token: IssuedToken & { readonly usableUntil?: number }
  },
): Promise<void> {
  const { sessionId, userId, request, token } = session
  const expiresAt = token.usableUntil ?? token.exp
  const now = context.clock()
  await context.stores.sessions.createSession({
    session: {
      id: sessionId,
      userId,
      createdAt: now,
      lastUsedAt: now,
      expiresAt,
      device: deviceLabel(request.device),
      ip: request.ip,
    },
    token: {
      jti: token.jti,
      familyId: sessionId,
      userId,
      issuedAt: token.claims.iat as number,
      expiresAt,
    },
  })
}
