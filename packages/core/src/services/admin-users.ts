import { randomBytes } from 'node:crypto'
import { NotFoundError } from '../errors/admin-errors.js'
import { ValidationError } from '../errors/request-errors.js'
import { validatePassword } from '../passwords/password-validators.js'
import type { PasskeyRecord } from '../stores/passkey-store.js'
import { EmailTakenError, UsernameTakenError, type UserRecord } from '../stores/user-store.js'
import { passwordFieldProblems } from '../users/char-field.js'
import { USERNAME_MESSAGES } from '../users/username.js'
import { type AdminActor, auditAdmin, requireSuperuser } from './admin-actor.js'
import { type AdminUserFields, changedFieldNames, readAdminUserFields } from './admin-input.js'
import { mfaStatus } from './mfa-enrolment.js'
import { EMAIL_TAKEN_MESSAGE } from './registration.js'
import type { ServiceContext } from './service-context.js'
import { endAllSessions } from './session-endings.js'

/** A user as the admin detail view shows them. */
export interface AdminUserDetail {
  readonly user: UserRecord
  readonly groups: { readonly id: string; readonly name: string }[]
  /** `app_label.codename` granted to the user directly. */
  readonly userPermissions: string[]
  /** Direct and through groups. */
  readonly allPermissions: string[]
  readonly mfa: { readonly totp: boolean; readonly recoveryCodesLeft: number }
  /** The user's passkeys, oldest first. */
  readonly passkeys: PasskeyRecord[]
}

/** Reads a user with their groups, permissions and second-factor state; undefined if none. */
export async function adminUserDetail(
  context: ServiceContext,
  userId: string,
): Promise<AdminUserDetail | undefined> {
  const { stores } = context
  const user = await stores.users.findUserById(userId)
  if (user === undefined) return undefined
  const [groups, userPermissions, allPermissions, mfa, passkeys] = await Promise.all([
    stores.permissions.listUserGroups(user.id),
    stores.permissions.listUserDirectPermissions(user.id),
    stores.permissions.listUserPermissions(user.id),
    mfaStatus(context, user),
    stores.passkeys.listPasskeys(user.id),
  ])
  return {
    user,
    groups,
    userPermissions,
    allPermissions,
    mfa: { totp: mfa.enabled, recoveryCodesLeft: mfa.recoveryCodesLeft },
    passkeys,
  }
}

/** `is_staff`/`is_superuser` change hands only through a superuser (Django admin's rule). */
function checkFlagChange(actor: AdminActor, fields: AdminUserFields, current?: UserRecord): void {
  const staff = fields.isStaff !== undefined && fields.isStaff !== (current?.isStaff ?? false)
  const superuser =
    fields.isSuperuser !== undefined && fields.isSuperuser !== (current?.isSuperuser ?? false)
  if (staff || superuser) requireSuperuser(actor, 'change is_staff or is_superuser')
}

/** A password checked by the field rule and the validators, as DRF field errors under `field`. */
function checkNewPassword(
  context: ServiceContext,
  password: unknown,
  field: string,
  attributes: { username: string; email: string; first_name: string; last_name: string },
): string {
  const problems = passwordFieldProblems(password)
  if (problems.length > 0) throw new ValidationError({ [field]: problems })
  const refused = validatePassword(password as string, attributes, context.passwordValidation)
  if (refused.length > 0) throw new ValidationError({ [field]: refused.map((p) => p.message) })
  return password as string
}

/** Turns the stores' uniqueness errors into DRF's field errors. */
async function uniqueFields<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (error instanceof UsernameTakenError)
      throw new ValidationError({ username: [USERNAME_MESSAGES.taken] })
    if (error instanceof EmailTakenError)
      throw new ValidationError({ email: [EMAIL_TAKEN_MESSAGE] })
    throw error
  }
}

/**
 * Creates a user as a staff member: the registration rules for each field, the password
 * validators when a password is given (none: an unusable password, Django's
 * `set_unusable_password`), `is_active` true unless given. Audited as `user_created`.
 */
export async function adminCreateUser(
  context: ServiceContext,
  actor: AdminActor,
  input: Readonly<Record<string, unknown>>,
): Promise<UserRecord> {
  const fields = readAdminUserFields(context, input, false)
  checkFlagChange(actor, fields)
  let password = `!${randomBytes(30).toString('base64url')}`
  if (input.password !== undefined && input.password !== null) {
    const plain = checkNewPassword(context, input.password, 'password', {
      username: fields.username ?? '',
      email: fields.email ?? '',
      first_name: fields.firstName ?? '',
      last_name: fields.lastName ?? '',
    })
    password = await context.hasher.hash(plain)
  }
  const uniqueEmail = context.loginField === 'email'
  const user = await uniqueFields(() =>
    context.stores.users.createUser(
      {
        username: fields.username as string,
        usernameKey: fields.usernameKey as string,
        email: fields.email ?? '',
        firstName: fields.firstName ?? '',
        lastName: fields.lastName ?? '',
        password,
        isActive: fields.isActive ?? true,
        isStaff: fields.isStaff ?? false,
        isSuperuser: fields.isSuperuser ?? false,
        lastLogin: null,
        dateJoined: context.clock(),
        profile: fields.profile ?? {},
      },
      { uniqueEmail },
    ),
  )
  await auditAdmin(context, actor, 'user_created', user.id, { username: user.username })
  return user
}

/**
 * Changes a user's fields as a staff member. Deactivating ends every session of the user on
 * every instance and cuts off every token issued until now, so their open session is refused
 * at its next request. Audited as `user_updated` (the names of the fields, never values), plus
 * `user_deactivated`/`user_activated`.
 */
export async function adminUpdateUser(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  input: Readonly<Record<string, unknown>>,
): Promise<UserRecord> {
  const current = await context.stores.users.findUserById(userId)
  if (current === undefined) throw new NotFoundError('user')
  const fields = readAdminUserFields(context, input, true)
  checkFlagChange(actor, fields, current)
  if (context.loginField === 'email' && fields.email !== undefined) {
    const others = await context.stores.users.findUsersByEmail(fields.email)
    if (others.some((other) => other.id !== current.id)) {
      throw new ValidationError({ email: [EMAIL_TAKEN_MESSAGE] })
    }
  }
  const patch = {
    ...fields,
    ...(fields.profile === undefined ? {} : { profile: { ...current.profile, ...fields.profile } }),
  }
  const updated = await uniqueFields(() => context.stores.users.updateUser(current.id, patch))
  if (updated === undefined) throw new NotFoundError('user')
  await context.revocation.userChanged(current.id)
  const changed = changedFieldNames(fields)
  if (changed.length > 0) {
    await auditAdmin(context, actor, 'user_updated', current.id, { fields: changed })
  }
  if (current.isActive && updated.isActive === false) {
    await endAllSessions(context, current.id, {
      reason: 'deactivated',
      by: 'admin',
      ...(actor.id === null ? {} : { actorId: actor.id }),
      ip: actor.ip,
    })
    await auditAdmin(context, actor, 'user_deactivated', current.id)
  } else if (!current.isActive && updated.isActive) {
    await auditAdmin(context, actor, 'user_activated', current.id)
  }
  return updated
}

/**
 * Sets a user's password as a staff member (`{new_password}`, validated), then ends every
 * session of the user and cuts off their tokens. Audited as `admin_password_set`.
 */
export async function adminSetPassword(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  input: Readonly<Record<string, unknown>>,
): Promise<void> {
  const user = await context.stores.users.findUserById(userId)
  if (user === undefined) throw new NotFoundError('user')
  const plain = checkNewPassword(context, input.new_password, 'new_password', {
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
  })
  const updated = await context.stores.users.updateUser(user.id, {
    password: await context.hasher.hash(plain),
  })
  if (updated === undefined) throw new NotFoundError('user')
  await context.revocation.userChanged(user.id)
  await endAllSessions(context, user.id, {
    reason: 'password_change',
    by: 'admin',
    ...(actor.id === null ? {} : { actorId: actor.id }),
    ip: actor.ip,
  })
  await auditAdmin(context, actor, 'admin_password_set', user.id)
}

/**
 * Deletes a user (never the actor: a staff member cannot lock themselves out this way). Their
 * sessions end first, so every instance refuses their tokens at once. Audited as
 * `user_deleted`, with the username (the row is gone).
 */
export async function adminDeleteUser(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
): Promise<void> {
  const user = await context.stores.users.findUserById(userId)
  if (user === undefined) throw new NotFoundError('user')
  if (actor.id === user.id) {
    throw new ValidationError({ non_field_errors: ['You cannot delete your own account here.'] })
  }
  await endAllSessions(context, user.id, {
    reason: 'deactivated',
    by: 'admin',
    ...(actor.id === null ? {} : { actorId: actor.id }),
    ip: actor.ip,
  })
  await context.stores.users.deleteUser(user.id)
  await context.revocation.userChanged(user.id)
  await auditAdmin(context, actor, 'user_deleted', user.id, { username: user.username })
}
