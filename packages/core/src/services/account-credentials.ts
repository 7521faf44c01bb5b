import { type FieldErrors, ValidationError } from '../errors/request-errors.js'
import type { UserRecord } from '../stores/user-store.js'
import { passwordFieldProblems } from '../users/char-field.js'
import { emailProblems, normalizeEmail } from '../users/email.js'
import {
  checkNewPassword,
  DJOSER_MESSAGES,
  newPasswordErrors,
  newUsernameErrors,
  storeUsername,
} from './account-links.js'
import { mailOptions, sendAccountMail } from './account-mail.js'
import { storeNewPassword } from './new-password.js'
import { EMAIL_TAKEN_MESSAGE } from './registration.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'
import { endAllSessions } from './session-endings.js'

/**
 * djoser's `CurrentPasswordSerializer` field: a required password that must be the user's (one
 * verify). Adds `{"current_password": [...]}` to `errors`.
 */
async function currentPasswordErrors(
  context: ServiceContext,
  user: UserRecord,
  value: unknown,
  errors: FieldErrors,
): Promise<void> {
  const problems = passwordFieldProblems(value)
  if (problems.length > 0) {
    errors.current_password = problems
    return
  }
  const result = await context.hasher.verify(value as string, user.password)
  if (!result.ok) errors.current_password = [DJOSER_MESSAGES.invalidPassword]
}

function throwIfAny(errors: FieldErrors): void {
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
}

/**
 * `POST /auth/users/set_password/`: checks the current password, sets the new one, and ends
 * every session of the user (Tessera always does: see the README's list of differences), then
 * the confirmation mail when enabled. djoser's order: fields (the current password included),
 * validators, retype.
 */
export async function setPassword(
  context: ServiceContext,
  user: UserRecord,
  input: Readonly<Record<string, unknown>>,
  options: { readonly retype: boolean },
  request: RequestContext,
): Promise<void> {
  const errors: FieldErrors = {}
  newPasswordErrors(input, options.retype, errors)
  await currentPasswordErrors(context, user, input.current_password, errors)
  throwIfAny(errors)
  checkNewPassword(context, input, options.retype, user)
  const updated = await storeNewPassword(context, user.id, input.new_password as string, request)
  if (updated !== undefined && context.mail?.passwordChangedEmailConfirmation === true) {
    await sendAccountMail(context, 'password_changed_confirmation', updated)
  }
}

/** `POST /auth/users/set_username/`: checks the current password, sets the new username. */
export async function setUsername(
  context: ServiceContext,
  user: UserRecord,
  input: Readonly<Record<string, unknown>>,
  options: { readonly retype: boolean },
  request: RequestContext,
): Promise<UserRecord> {
  const errors: FieldErrors = {}
  newUsernameErrors(input, options.retype, errors)
  await currentPasswordErrors(context, user, input.current_password, errors)
  throwIfAny(errors)
  if (options.retype && input.new_username !== input.re_new_username) {
    throw new ValidationError({ non_field_errors: [DJOSER_MESSAGES.usernameMismatch] })
  }
  const updated = await storeUsername(context, user, input.new_username as string)
  await audit(context, { type: 'username_changed', userId: user.id, ip: request.ip, data: {} })
  if (context.mail?.usernameChangedEmailConfirmation === true) {
    await sendAccountMail(context, 'username_changed_confirmation', updated)
  }
  return updated
}

/**
 * `DELETE /auth/users/me/`: checks the current password, ends every session of the user (on
 * every instance), then deletes the account.
 */
export async function deleteAccount(
  context: ServiceContext,
  user: UserRecord,
  input: Readonly<Record<string, unknown>>,
  request: RequestContext,
): Promise<void> {
  const errors: FieldErrors = {}
  await currentPasswordErrors(context, user, input.current_password, errors)
  throwIfAny(errors)
  await endAllSessions(context, user.id, { reason: 'deactivated', by: 'user', ip: request.ip })
  await context.stores.users.deleteUser(user.id)
  await context.revocation.userChanged(user.id)
  await audit(context, { type: 'user_deactivated', userId: user.id, ip: request.ip, data: {} })
}

/**
 * A new address for `user`, as `PATCH /api/me/` and djoser's `users/me/` ask: with
 * `EMAIL_CHANGE_CONFIRMATION`, nothing changes yet: a link goes to the new address and a notice
 * to the old one (returns false); with `SEND_ACTIVATION_EMAIL` (djoser's behaviour) the account
 * becomes inactive until the new address is activated. Returns the patch to apply.
 */
export async function emailChange(
  context: ServiceContext,
  user: UserRecord,
  email: string,
): Promise<{ readonly email?: string; readonly isActive?: boolean }> {
  if (email === user.email) return { email }
  if (context.loginField === 'email') await checkEmailFree(context, user, email)
  if (context.mail === undefined) return { email }
  const mail = context.mail
  if (mail.emailChangeConfirmation && email !== '') {
    await sendAccountMail(context, 'email_change_confirmation', user, {
      to: email,
      link: { purpose: 'email_change', url: mail.urls.emailChangeConfirm },
      tokenExtra: email,
      extra: { new_email: email },
    })
    await sendAccountMail(context, 'email_changed_notice', user, { extra: { new_email: email } })
    return {}
  }
  if (mail.sendActivationEmail && email !== '') return { email, isActive: false }
  return { email }
}

/**
 * Sends the activation mail to a user made inactive by an email change (djoser's
 * `perform_update`).
 */
export async function sendActivationAfterChange(
  context: ServiceContext,
  user: UserRecord,
): Promise<void> {
  const mail = mailOptions(context)
  await sendAccountMail(context, 'activation', user, {
    link: { purpose: 'activation', url: mail.urls.activation },
  })
}

/**
 * `PUT`/`PATCH /auth/users/me/`: djoser's `UserSerializer` lets only the email change.
 */
export async function updateDjoserProfile(
  context: ServiceContext,
  user: UserRecord,
  input: Readonly<Record<string, unknown>>,
): Promise<UserRecord> {
  if (input.email === undefined) return user
  const problems = emailProblems(input.email)
  if (input.email === null) problems.push('This field may not be null.')
  if (problems.length > 0) throw new ValidationError({ email: problems })
  const patch = await emailChange(context, user, normalizeEmail(input.email as string))
  if (Object.keys(patch).length === 0) return user
  const updated = (await context.stores.users.updateUser(user.id, patch)) ?? user
  await context.revocation.userChanged(user.id)
  if (patch.isActive === false) await sendActivationAfterChange(context, updated)
  return updated
}

/** With `LOGIN_FIELD=email`: refuses an address another account has (DRF's unique message). */
export async function checkEmailFree(
  context: ServiceContext,
  user: UserRecord,
  email: string,
): Promise<void> {
  if (email === '') throw new ValidationError({ email: ['This field may not be blank.'] })
  const holders = await context.stores.users.findUsersByEmail(email)
  if (holders.some((holder) => holder.id !== user.id)) {
    throw new ValidationError({ email: [EMAIL_TAKEN_MESSAGE] })
  }
}
