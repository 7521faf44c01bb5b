import {
  AuthenticationFailedError,
  type FieldErrors,
  ValidationError,
} from '../errors/request-errors.js'
import { validatePassword } from '../passwords/password-validators.js'
import type { UserRecord } from '../stores/user-store.js'
import { passwordFieldProblems } from '../users/char-field.js'
import { emailProblems, normalizeEmail } from '../users/email.js'
import { nameProblems } from '../users/name-fields.js'
import { emailChange, sendActivationAfterChange } from './account-credentials.js'
import type { LoginResult } from './login.js'
import { startSession } from './login.js'
import { storeNewPassword } from './new-password.js'
import type { RequestContext, ServiceContext } from './service-context.js'

/**
 * `PATCH /api/me/`: the fields a user may change about themselves (email, first and last name,
 * declared profile fields). Throws {@link ValidationError} with DRF field errors.
 */
export async function updateProfile(
  context: ServiceContext,
  user: UserRecord,
  input: Readonly<Record<string, unknown>>,
): Promise<UserRecord> {
  const errors: FieldErrors = {}
  const patch: { email?: string; isActive?: boolean; firstName?: string; lastName?: string } = {}
  let newEmail: string | undefined
  if (input.email !== undefined) {
    const problems = emailProblems(input.email)
    if (problems.length > 0) errors.email = problems
    else newEmail = normalizeEmail(String(input.email ?? ''))
  }
  for (const [field, key] of [
    ['first_name', 'firstName'],
    ['last_name', 'lastName'],
  ] as const) {
    const value = input[field]
    if (value === undefined) continue
    const problems = nameProblems(value)
    if (problems.length > 0) errors[field] = problems
    else patch[key] = value as string
  }
  const profile = context.profileFields?.validate(input, { partial: true }) ?? {
    values: {},
    errors: {},
  }
  Object.assign(errors, profile.errors)
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  // A new address may wait for its confirmation (EMAIL_CHANGE_CONFIRMATION), or deactivate the
  // account until activated (djoser's SEND_ACTIVATION_EMAIL).
  if (newEmail !== undefined) Object.assign(patch, await emailChange(context, user, newEmail))
  const updated = await context.stores.users.updateUser(user.id, {
    ...patch,
    profile: { ...user.profile, ...profile.values },
  })
  await context.revocation.userChanged(user.id)
  if (patch.isActive === false && updated !== undefined) {
    await sendActivationAfterChange(context, updated)
  }
  return updated ?? user
}

/**
 * `POST /api/password/change/`: checks the old password (one verify), validates the new one,
 * stores its hash, ends every session of the user and cuts off every earlier token, then opens
 * a fresh session for this device, whose tokens work at once (a new session: see `isCutOff`).
 */
export async function changePassword(
  context: ServiceContext,
  user: UserRecord,
  oldPassword: string,
  newPassword: string,
  request: RequestContext,
): Promise<Omit<LoginResult, 'user'>> {
  // The password fields' own rule first (blank, U+0000...), before the old password costs a hash.
  const fieldErrors: FieldErrors = {}
  for (const [field, value] of [
    ['old_password', oldPassword],
    ['new_password', newPassword],
  ] as const) {
    const problems = passwordFieldProblems(value)
    if (problems.length > 0) fieldErrors[field] = problems
  }
  if (Object.keys(fieldErrors).length > 0) throw new ValidationError(fieldErrors)
  const result = await context.hasher.verify(oldPassword, user.password)
  if (!result.ok)
    throw new ValidationError({
      old_password: ['Your old password was entered incorrectly. Please enter it again.'],
    })
  const problems = validatePassword(
    newPassword,
    {
      username: user.username,
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
    },
    context.passwordValidation,
  )
  if (problems.length > 0)
    throw new ValidationError({ new_password: problems.map((p) => p.message) })
  const updated = await storeNewPassword(context, user.id, newPassword, request)
  if (updated === undefined) throw new AuthenticationFailedError()
  return startSession(context, updated, request)
}
