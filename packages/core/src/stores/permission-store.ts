/** A permission, named `app_label.codename` as in Django. */
export interface PermissionRecord {
  readonly id: string
  readonly appLabel: string
  readonly codename: string
  /** Human-readable name ("Can add article"). */
  readonly name: string
}

/** A group of users sharing permissions. */
export interface GroupRecord {
  readonly id: string
  /** Unique. */
  readonly name: string
}

/**
 * Groups and permissions (Django's auth_group, auth_permission and the link tables).
 * Atomicity: each call is one statement; grants and memberships are idempotent (granting twice
 * leaves one link), enforced by primary keys on the link tables. Linking a user, group or
 * permission that does not exist is a caller error and rejects with `StoreUnavailableError`
 * (a foreign key in SQL); removing a link that does not exist does nothing. Lists are sorted by
 * UTF-16 code units, the same on every backend (SQL collations differ).
 */
export interface PermissionStore {
  /**
   * Creates the permission, or returns the existing one with the same app_label + codename (its
   * name unchanged). Safe under concurrency: the unique key decides, never a read-then-write.
   */
  ensurePermission(appLabel: string, codename: string, name: string): Promise<PermissionRecord>
  /** Creates the group, or returns the existing one with that name. */
  ensureGroup(name: string): Promise<GroupRecord>
  addUserToGroup(userId: string, groupId: string): Promise<void>
  removeUserFromGroup(userId: string, groupId: string): Promise<void>
  grantUserPermission(userId: string, permissionId: string): Promise<void>
  revokeUserPermission(userId: string, permissionId: string): Promise<void>
  grantGroupPermission(groupId: string, permissionId: string): Promise<void>
  /** The groups of a user, by name. */
  listUserGroups(userId: string): Promise<GroupRecord[]>
  /** `app_label.codename` of every permission the user has directly or through a group. */
  listUserPermissions(userId: string): Promise<string[]>
}
