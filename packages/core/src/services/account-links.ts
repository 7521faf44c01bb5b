import {
  EmailNotFoundError,
  type FieldErrors,
  FlowDisabledError,
  StaleTokenError,
  ValidationError,
} from '../errors/request-errors.js'
import { decodeUid, type UserTokenPurpose } from '../mail/user-token-generator.js'
import { validatePassword } from '../passwords/password-validators.js'
import { type UserExpectation, UsernameTakenError, type UserRecord } from '../stores/user-store.js'
import {
  CHAR_FIELD_MESSAGES,
  isBlank,
  passwordFieldProblems,
  textProblems,
} from '../users/char-field.js'
import { emailProblem } from '../users/email.js'
import {
  normalizeUsername,
  USERNAME_MESSAGES,
  usernameKey,
  usernameProblems,
} from '../users/username.js'
import { checkEmailFree } from './account-credentials.js'
import { mailOptions, sendAccountMail } from './account-mail.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'
import { endAllSessions } from './session-endings.js'

/** djoser's messages (`djoser.constants.Messages`), word for word. */
export const DJOSER_MESSAGES = Object.freeze({
  invalidUid: "Invalid user id or user doesn't exist.",
  invalidToken: 'Invalid token for given user.',
  passwordMismatch: "The two password fields didn't match.",
  usernameMismatch: "The two username fields didn't match.",
  invalidPassword: 'Invalid password.',
  emailNotFound: 'User with given email does not exist.',
})

/** A DRF CharField's problems for a required text (`uid`, `token`, `re_new_password`...). */
export function requiredTextProblems(value: unknown): string[] {
  if (value === undefined) return [CHAR_FIELD_MESSAGES.required]
  if (value === null) return [CHAR_FIELD_MESSAGES.null]
  if (typeof value !== 'string') return [CHAR_FIELD_MESSAGES.invalid]
  if (isBlank(value)) return [CHAR_FIELD_MESSAGES.blank]
  return textProblems(value)
}

/** DRF's `EmailField` (required) problems, or `[]`. */
export function requiredEmailProblems(value: unknown): string[] {
  const text = requiredTextProblems(value)
  if (text.length > 0) return text
  const problem = emailProblem((value as string).trim())
  return problem === undefined ? [] : [problem]
}

function throwIfAny(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
}

/** A user whose password is usable (Django's `has_usable_password`). */
function hasUsablePassword(user: UserRecord): boolean {
  return user.password !== null && !user.password.startsWith('!')
}

/**
 * djoser's `UidAndTokenSerializer`: the user the uid names, if the token was made for them in
 * their current state and for this purpose; else `{"uid": [...]}` or `{"token": [...]}`.
 */
async function userOfLink(
  context: ServiceContext,
  purpose: UserTokenPurpose,
  uid: string,
  token: string,
  tokenExtra?: string,
): Promise<UserRecord> {
  const id = decodeUid(uid)
  const user = id === undefined ? undefined : await context.stores.users.findUserById(id)
  if (user === undefined) throw new ValidationError({ uid: [DJOSER_MESSAGES.invalidUid] })
  if (!mailOptions(context).tokens.check(user, purpose, token, tokenExtra)) {
    throw new ValidationError({ token: [DJOSER_MESSAGES.invalidToken] })
  }
  return user
}

/** The required `uid` and `token` fields' problems, into `errors`. */
function linkFieldErrors(input: Readonly<Record<string, unknown>>, errors: FieldErrors): void {
  for (const field of ['uid', 'token']) {
    const problems = requiredTextProblems(input[field])
    if (problems.length > 0) errors[field] = problems
  }
}

/**
 * `POST /auth/users/activation/`: activates the account a link names. Already active: 403
 * "Stale token for given user." (a link used twice).
 */
export async function activateAccount(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
  request: RequestContext,
): Promise<void> {
  const errors: FieldErrors = {}
  linkFieldErrors(input, errors)
  throwIfAny(errors)
  const user = await userOfLink(context, 'activation', input.uid as string, input.token as string)
  if (user.isActive) throw new StaleTokenError()
  // One conditional write: of concurrent activations with the link, one wins, the rest are stale.
  const updated = await context.stores.users.updateUserIf(
    user.id,
    { isActive: false },
    { isActive: true },
  )
  if (updated === undefined) throw new StaleTokenError()
  await context.revocation.userChanged(user.id)
  await audit(context, { type: 'user_activated', userId: user.id, ip: request.ip, data: {} })
  if (mailOptions(context).sendConfirmationEmail) {
    await sendAccountMail(context, 'confirmation', updated)
  }
}

/**
 * The users a reset or activation mail goes to: those with this address (case-insensitively),
 * in the wanted activation state, with a usable password (Django's `PasswordResetForm`).
 */
async function recipients(
  context: ServiceContext,
  email: string,
  active: boolean,
): Promise<UserRecord[]> {
  const users = await context.stores.users.findUsersByEmail(email)
  return users.filter((user) => user.isActive === active && hasUsablePassword(user))
}

/**
 * Answers an email-keyed request the same way and in the same time whether or not an account
 * has the address: the lookup and the mail happen after the answer (`background`), unless the
 * settings ask to say "not found" (an explicit choice of enumeration).
 */
async function mailByAddress(
  context: ServiceContext,
  email: string,
  active: boolean,
  showNotFound: boolean,
  send: (user: UserRecord) => Promise<void>,
): Promise<void> {
  const work = async (): Promise<boolean> => {
    const users = await recipients(context, email, active)
    for (const user of users) await send(user)
    return users.length > 0
  }
  if (showNotFound) {
    if (!(await work())) throw new EmailNotFoundError()
    return
  }
  const mail = mailOptions(context)
  context.background.run(
    async () => {
      await work()
    },
    (error) => mail.onBackgroundError?.(error),
  )
}

function emailInput(input: Readonly<Record<string, unknown>>): string {
  const problems = requiredEmailProblems(input.email)
  if (problems.length > 0) throw new ValidationError({ email: problems })
  return (input.email as string).trim()
}

/** `POST /auth/users/resend_activation/`: a new activation mail for an inactive account. */
export async function resendActivation(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
): Promise<void> {
  const email = emailInput(input)
  const mail = mailOptions(context)
  if (!mail.sendActivationEmail) throw new FlowDisabledError('resend_activation')
  await mailByAddress(context, email, false, mail.passwordResetShowEmailNotFound, (user) =>
    sendAccountMail(context, 'activation', user, {
      link: { purpose: 'activation', url: mail.urls.activation },
    }),
  )
}

/** `POST /auth/users/reset_password/`: mails a reset link to each active account of the address. */
export async function requestPasswordReset(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
): Promise<void> {
  const email = emailInput(input)
  const mail = mailOptions(context)
  await mailByAddress(context, email, true, mail.passwordResetShowEmailNotFound, (user) =>
    sendAccountMail(context, 'password_reset', user, {
      link: { purpose: 'password_reset', url: mail.urls.passwordResetConfirm },
    }),
  )
}

/** `POST /auth/users/reset_username/`: mails a username reset link. */
export async function requestUsernameReset(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
): Promise<void> {
  const email = emailInput(input)
  const mail = mailOptions(context)
  await mailByAddress(context, email, true, mail.usernameResetShowEmailNotFound, (user) =>
    sendAccountMail(context, 'username_reset', user, {
      link: { purpose: 'username_reset', url: mail.urls.usernameResetConfirm },
    }),
  )
}

/**
 * The new password fields of djoser's serializers (present, non-blank text); Django's validators
 * and the retype come after every field was checked ({@link checkNewPassword}).
 */
export function newPasswordErrors(
  input: Readonly<Record<string, unknown>>,
  retype: boolean,
  errors: FieldErrors,
): void {
  const problems = passwordFieldProblems(input.new_password)
  if (problems.length > 0) errors.new_password = problems
  if (retype) {
    const again = passwordFieldProblems(input.re_new_password)
    if (again.length > 0) errors.re_new_password = again
  }
}

/** Django's validators on a new password, then djoser's retype check; throws the first found. */
export function checkNewPassword(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
  retype: boolean,
  user: UserRecord | undefined,
): void {
  const password = input.new_password as string
  const problems = validatePassword(
    password,
    user === undefined
      ? {}
      : {
          username: user.username,
          email: user.email,
          first_name: user.firstName,
          last_name: user.lastName,
        },
    context.passwordValidation,
  )
  if (problems.length > 0) {
    throw new ValidationError({ new_password: problems.map((problem) => problem.message) })
  }
  if (retype && password !== input.re_new_password) {
    throw new ValidationError({ non_field_errors: [DJOSER_MESSAGES.passwordMismatch] })
  }
}

/**
 * `POST /auth/users/reset_password_confirm/`: sets the new password of the user a reset link
 * names, moves `last_login` (djoser: the link dies with it, as with the new hash), ends every
 * session of the user on every instance, and sends the confirmation when enabled. Errors in
 * djoser's order: fields, password validators, retype, uid, token.
 */
export async function confirmPasswordReset(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
  options: { readonly retype: boolean },
  request: RequestContext,
): Promise<void> {
  const errors: FieldErrors = {}
  linkFieldErrors(input, errors)
  newPasswordErrors(input, options.retype, errors)
  throwIfAny(errors)
  // djoser validates the password before it knows the user (against the anonymous user).
  checkNewPassword(context, input, options.retype, undefined)
  const user = await userOfLink(
    context,
    'password_reset',
    input.uid as string,
    input.token as string,
  )
  const password = await context.hasher.hash(input.new_password as string)
  // Only from the state the token was made for: of concurrent uses of one link exactly one
  // sets its password; the others find the state changed, as a later use would.
  const updated = await context.stores.users.updateUserIf(
    user.id,
    { password: user.password, lastLogin: user.lastLogin },
    { password, lastLogin: context.clock() },
  )
  if (updated === undefined) throw new ValidationError({ token: [DJOSER_MESSAGES.invalidToken] })
  await context.revocation.userChanged(user.id)
  await endAllSessions(context, user.id, { reason: 'password_reset', by: 'user', ip: request.ip })
  await audit(context, { type: 'password_reset', userId: user.id, ip: request.ip, data: {} })
  if (mailOptions(context).passwordChangedEmailConfirmation) {
    await sendAccountMail(context, 'password_changed_confirmation', updated)
  }
}

/**
 * The `new_username` (and `re_new_username`) field problems, then whether the name is free:
 * Django's username rules and its "already exists" message.
 */
export function newUsernameErrors(
  input: Readonly<Record<string, unknown>>,
  retype: boolean,
  errors: FieldErrors,
): void {
  const problems = usernameProblems(input.new_username)
  if (problems.length > 0) errors.new_username = problems
  if (retype) {
    const again = requiredTextProblems(input.re_new_username)
    if (again.length > 0) errors.re_new_username = again
  }
}

/** Stores a new username (canonical key unique); "already exists" when taken. */
export async function storeUsername(
  context: ServiceContext,
  user: UserRecord,
  name: string,
  patch: { readonly lastLogin?: number } = {},
  expected?: UserExpectation,
): Promise<UserRecord> {
  const username = normalizeUsername(name)
  const key = usernameKey(username)
  const holder = await context.stores.users.findUserByUsernameKey(key)
  if (holder !== undefined && holder.id !== user.id) {
    throw new ValidationError({ new_username: [USERNAME_MESSAGES.taken] })
  }
  try {
    const change = { username, usernameKey: key, ...patch }
    const updated =
      expected === undefined
        ? await context.stores.users.updateUser(user.id, change)
        : await context.stores.users.updateUserIf(user.id, expected, change)
    if (updated === undefined && expected !== undefined) {
      throw new ValidationError({ token: [DJOSER_MESSAGES.invalidToken] })
    }
    await context.revocation.userChanged(user.id)
    return updated ?? user
  } catch (error) {
    if (error instanceof UsernameTakenError) {
      throw new ValidationError({ new_username: [USERNAME_MESSAGES.taken] })
    }
    throw error
  }
}

/** `POST /auth/users/reset_username_confirm/`: sets the username a reset link allows. */
export async function confirmUsernameReset(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
  options: { readonly retype: boolean },
  request: RequestContext,
): Promise<void> {
  const errors: FieldErrors = {}
  linkFieldErrors(input, errors)
  newUsernameErrors(input, options.retype, errors)
  throwIfAny(errors)
  if (options.retype && input.new_username !== input.re_new_username) {
    throw new ValidationError({ non_field_errors: [DJOSER_MESSAGES.usernameMismatch] })
  }
  const user = await userOfLink(
    context,
    'username_reset',
    input.uid as string,
    input.token as string,
  )
  const updated = await storeUsername(
    context,
    user,
    input.new_username as string,
    { lastLogin: context.clock() },
    { username: user.username, lastLogin: user.lastLogin },
  )
  await audit(context, { type: 'username_changed', userId: user.id, ip: request.ip, data: {} })
  if (mailOptions(context).usernameChangedEmailConfirmation) {
    await sendAccountMail(context, 'username_changed_confirmation', updated)
  }
}

/**
 * `POST /auth/users/email_change_confirm/` (Tessera's, beside djoser's): `{uid, token}` from the
 * link mailed to the new address; the address takes effect and the link dies with the change.
 */
export async function confirmEmailChange(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
  request: RequestContext,
): Promise<UserRecord> {
  const errors: FieldErrors = {}
  linkFieldErrors(input, errors)
  throwIfAny(errors)
  const [encoded, token] = splitEmailToken(input.token as string)
  const email = Buffer.from(encoded, 'base64url').toString('utf8')
  if (emailProblem(email) !== undefined || email === '') {
    // Still djoser's order: an unknown uid is said first.
    const id = decodeUid(input.uid)
    if (id === undefined || (await context.stores.users.findUserById(id)) === undefined) {
      throw new ValidationError({ uid: [DJOSER_MESSAGES.invalidUid] })
    }
    throw new ValidationError({ token: [DJOSER_MESSAGES.invalidToken] })
  }
  const user = await userOfLink(context, 'email_change', input.uid as string, token, email)
  if (context.loginField === 'email') await checkEmailFree(context, user, email)
  const updated = await context.stores.users.updateUserIf(user.id, { email: user.email }, { email })
  if (updated === undefined) throw new ValidationError({ token: [DJOSER_MESSAGES.invalidToken] })
  await context.revocation.userChanged(user.id)
  await audit(context, { type: 'email_changed', userId: user.id, ip: request.ip, data: {} })
  return updated
}

function splitEmailToken(token: string): [string, string] {
  const dot = token.lastIndexOf('.')
  return dot < 0 ? ['', token] : [token.slice(0, dot), token.slice(dot + 1)]
}
