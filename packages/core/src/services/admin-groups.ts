import { NotFoundError } from '../errors/admin-errors.js'
import { type FieldErrors, ValidationError } from '../errors/request-errors.js'
import {
  GroupNameTakenError,
  type GroupRecord,
  type PermissionRecord,
} from '../stores/permission-store.js'
import { textProblems } from '../users/char-field.js'
import { type AdminActor, auditAdmin } from './admin-actor.js'
import type { ServiceContext } from './service-context.js'

/** Django's `max_length` of `auth_group.name`. */
const MAX_GROUP_NAME = 150
/** Django's `max_length` of `auth_permission.codename` and `.name`; app labels are identifiers. */
const MAX_CODENAME = 100
const MAX_PERMISSION_NAME = 255
const APP_LABEL = /^[A-Za-z_][A-Za-z0-9_]{0,99}$/
const CODENAME = /^[A-Za-z0-9_]+$/

/** A required text field's problems, DRF's messages. */
function requiredText(value: unknown, max: number): string[] {
  if (value === undefined || value === null) return ['This field is required.']
  if (typeof value !== 'string') return ['Not a valid string.']
  if (value.trim() === '') return ['This field may not be blank.']
  if ([...value].length > max) return [`Ensure this field has no more than ${max} characters.`]
  return textProblems(value)
}

/** Reads `{name}` of a group body; DRF field errors when it is missing or bad. */
export function readGroupName(input: Readonly<Record<string, unknown>>): string {
  const problems = requiredText(input.name, MAX_GROUP_NAME)
  if (problems.length > 0) throw new ValidationError({ name: problems })
  return (input.name as string).trim()
}

const GROUP_NAME_TAKEN = { name: ['group with this name already exists.'] }

async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write()
  } catch (error) {
    if (error instanceof GroupNameTakenError) throw new ValidationError(GROUP_NAME_TAKEN)
    throw error
  }
}

/**
 * Splits `app_label.codename` at its first dot, as Django's `has_perm`; undefined when either
 * part is empty.
 */
export function splitPermissionName(name: string): [string, string] | undefined {
  const dot = name.indexOf('.')
  if (dot <= 0 || dot === name.length - 1) return undefined
  return [name.slice(0, dot), name.slice(dot + 1)]
}

/** The permission `app_label.codename`; {@link NotFoundError} when there is none. */
export async function findPermissionByName(
  context: ServiceContext,
  name: string,
): Promise<PermissionRecord> {
  const parts = splitPermissionName(name)
  const found = parts && (await context.stores.permissions.findPermission(...parts))
  if (found === undefined) throw new NotFoundError('permission')
  return found
}

/** Creates a group; 400 when the name is taken. Audited as `group_created`. */
export async function adminCreateGroup(
  context: ServiceContext,
  actor: AdminActor,
  input: Readonly<Record<string, unknown>>,
): Promise<GroupRecord> {
  const name = readGroupName(input)
  const group = await uniqueName(() => context.stores.permissions.createGroup(name))
  await auditAdmin(context, actor, 'group_created', null, { group_id: group.id, name })
  return group
}

/** Renames a group; audited as `group_renamed` with both names. */
export async function adminRenameGroup(
  context: ServiceContext,
  actor: AdminActor,
  groupId: string,
  input: Readonly<Record<string, unknown>>,
): Promise<GroupRecord> {
  const before = await context.stores.permissions.findGroup(groupId)
  if (before === undefined) throw new NotFoundError('group')
  const name = readGroupName(input)
  const group = await uniqueName(() => context.stores.permissions.renameGroup(groupId, name))
  if (group === undefined) throw new NotFoundError('group')
  if (before.name !== name) {
    await auditAdmin(context, actor, 'group_renamed', null, {
      group_id: group.id,
      from: before.name,
      to: name,
    })
  }
  return group
}

/** Deletes a group, its memberships and grants; audited as `group_deleted`. */
export async function adminDeleteGroup(
  context: ServiceContext,
  actor: AdminActor,
  groupId: string,
): Promise<void> {
  const group = await context.stores.permissions.findGroup(groupId)
  if (group === undefined || !(await context.stores.permissions.deleteGroup(groupId))) {
    throw new NotFoundError('group')
  }
  await auditAdmin(context, actor, 'group_deleted', null, {
    group_id: group.id,
    name: group.name,
    members: group.memberCount,
  })
}

/** Puts a user in a group or takes them out (idempotent); audited when it changed something. */
export async function adminSetMembership(
  context: ServiceContext,
  actor: AdminActor,
  userId: string,
  groupId: string,
  member: boolean,
): Promise<void> {
  const { stores } = context
  const [user, group] = await Promise.all([
    stores.users.findUserById(userId),
    stores.permissions.findGroup(groupId),
  ])
  if (user === undefined) throw new NotFoundError('user')
  if (group === undefined) throw new NotFoundError('group')
  const was = (await stores.permissions.listUserGroups(user.id)).some((g) => g.id === group.id)
  if (was === member) return
  if (member) await stores.permissions.addUserToGroup(user.id, group.id)
  else await stores.permissions.removeUserFromGroup(user.id, group.id)
  await context.revocation.userChanged(user.id)
  await auditAdmin(
    context,
    actor,
    member ? 'group_member_added' : 'group_member_removed',
    user.id,
    { group_id: group.id, group: group.name },
  )
}

/** Who a permission goes to or leaves: a user or a group. */
export type PermissionHolder =
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'group'; readonly id: string }

/**
 * Grants or revokes `app_label.codename` to a user or group (idempotent); audited as
 * `permission_granted`/`permission_revoked` when it changed something.
 */
export async function adminSetPermission(
  context: ServiceContext,
  actor: AdminActor,
  holder: PermissionHolder,
  name: string,
  granted: boolean,
): Promise<void> {
  const { permissions, users } = context.stores
  let held: string[]
  let subject: { user_id: string } | { group_id: string }
  if (holder.kind === 'user') {
    const user = await users.findUserById(holder.id)
    if (user === undefined) throw new NotFoundError('user')
    held = await permissions.listUserDirectPermissions(user.id)
    subject = { user_id: user.id }
  } else {
    const group = await permissions.findGroup(holder.id)
    if (group === undefined) throw new NotFoundError('group')
    held = group.permissions
    subject = { group_id: group.id }
  }
  const permission = await findPermissionByName(context, name)
  const full = `${permission.appLabel}.${permission.codename}`
  if (held.includes(full) === granted) return
  if (holder.kind === 'user') {
    if (granted) await permissions.grantUserPermission(holder.id, permission.id)
    else await permissions.revokeUserPermission(holder.id, permission.id)
    await context.revocation.userChanged(holder.id)
  } else if (granted) await permissions.grantGroupPermission(holder.id, permission.id)
  else await permissions.revokeGroupPermission(holder.id, permission.id)
  await auditAdmin(
    context,
    actor,
    granted ? 'permission_granted' : 'permission_revoked',
    holder.kind === 'user' ? holder.id : null,
    { permission: full, ...subject },
  )
}

/**
 * Creates a permission `{app_label, codename, name}`; 400 when it exists. Audited as
 * `permission_created`.
 */
export async function adminCreatePermission(
  context: ServiceContext,
  actor: AdminActor,
  input: Readonly<Record<string, unknown>>,
): Promise<PermissionRecord> {
  const errors: FieldErrors = {}
  const label = requiredText(input.app_label, MAX_CODENAME)
  if (label.length === 0 && !APP_LABEL.test(input.app_label as string)) {
    label.push(
      'Enter a valid app label: letters, digits and underscores, not starting with a digit.',
    )
  }
  if (label.length > 0) errors.app_label = label
  const codename = requiredText(input.codename, MAX_CODENAME)
  if (codename.length === 0 && !CODENAME.test(input.codename as string)) {
    codename.push('Enter a valid codename: letters, digits and underscores.')
  }
  if (codename.length > 0) errors.codename = codename
  const name = requiredText(input.name, MAX_PERMISSION_NAME)
  if (name.length > 0) errors.name = name
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  const appLabel = input.app_label as string
  const code = input.codename as string
  const { permissions } = context.stores
  if ((await permissions.findPermission(appLabel, code)) !== undefined) {
    throw new ValidationError({
      non_field_errors: ['Permission with this app label and codename already exists.'],
    })
  }
  const permission = await permissions.ensurePermission(appLabel, code, input.name as string)
  await auditAdmin(context, actor, 'permission_created', null, {
    permission: `${appLabel}.${code}`,
  })
  return permission
}
