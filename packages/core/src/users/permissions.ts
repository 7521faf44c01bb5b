/** The part of a user that Django's permission checks look at. */
export interface PermissionSubject {
  readonly isActive: boolean
  readonly isSuperuser: boolean
}

/**
 * Django's `User.has_perm`: inactive users have no permission, active superusers have all,
 * everyone else has exactly the `app_label.codename` permissions granted to them directly or
 * through a group (`granted`).
 */
export function hasPerm(
  user: PermissionSubject,
  permission: string,
  granted: ReadonlySet<string>,
): boolean {
  if (!user.isActive) return false
  if (user.isSuperuser) return true
  return granted.has(permission)
}

/** Django's `User.has_perms`: every one of `permissions`. */
export function hasPerms(
  user: PermissionSubject,
  permissions: readonly string[],
  granted: ReadonlySet<string>,
): boolean {
  return permissions.every((permission) => hasPerm(user, permission, granted))
}

/** Django's `User.has_module_perms`: any permission of the app `appLabel`. */
export function hasModulePerms(
  user: PermissionSubject,
  appLabel: string,
  granted: ReadonlySet<string>,
): boolean {
  if (!user.isActive) return false
  if (user.isSuperuser) return true
  const prefix = `${appLabel}.`
  for (const permission of granted) if (permission.startsWith(prefix)) return true
  return false
}
