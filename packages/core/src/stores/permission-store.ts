/** A permission, named `app_label.codename` as in Django. */
export interface PermissionRecord {
  readonly id: string
  readonly appLabel: string
  readonly codename: string
  /** Human-readable name ("Can add article"). */
  readonly name: string
}

import type { PageWindow, StorePage } from './store-page.js'

/** A group of users sharing permissions. */
export interface GroupRecord {
  readonly id: string
  /** Unique. */
  readonly name: string
}

/** A group with what the admin lists show of it. */
export interface GroupDetail extends GroupRecord {
  /** `app_label.codename` of the group's permissions, in code point order. */
  readonly permissions: string[]
  readonly memberCount: number
}

/** A search and window over groups or permissions. */
export interface NameQuery extends PageWindow {
  /** A fragment of the name (group), or of app_label, codename or name (permission); ASCII case ignored. */
  readonly search?: string
}

/** Thrown by `createGroup` and `renameGroup` when another group has the name. */
export class GroupNameTakenError extends Error {
  constructor() {
    super('a group with that name already exists')
    this.name = 'GroupNameTakenError'
  }
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
  /** Revokes a group's permission; nothing happens when the group does not hold it. */
  revokeGroupPermission(groupId: string, permissionId: string): Promise<void>
  /**
   * Creates a group; throws {@link GroupNameTakenError} when the name exists (the unique key
   * decides: of concurrent creators of one name exactly one succeeds).
   */
  createGroup(name: string): Promise<GroupRecord>
  /** Renames a group; undefined when there is none; {@link GroupNameTakenError} for a taken name. */
  renameGroup(id: string, name: string): Promise<GroupRecord | undefined>
  /** Deletes a group and, by cascade, its memberships and grants; false when there was none. */
  deleteGroup(id: string): Promise<boolean>
  /** A group with its permissions and member count, or undefined. */
  findGroup(id: string): Promise<GroupDetail | undefined>
  /** Groups by name (code points), one window, and how many match. */
  listGroups(query: NameQuery): Promise<StorePage<GroupDetail>>
  /** The permission `app_label.codename`, or undefined. */
  findPermission(appLabel: string, codename: string): Promise<PermissionRecord | undefined>
  /** Permissions by app_label then codename (code points), one window, and how many match. */
  listPermissions(query: NameQuery): Promise<StorePage<PermissionRecord>>
  /** `app_label.codename` of the permissions granted to the user directly (not via groups). */
  listUserDirectPermissions(userId: string): Promise<string[]>
  /** The groups of a user, by name. */
  listUserGroups(userId: string): Promise<GroupRecord[]>
  /** `app_label.codename` of every permission the user has directly or through a group. */
  listUserPermissions(userId: string): Promise<string[]>
}
