import type { AsymmetricAlgorithm } from '../keys/algorithms.js'
import type { KeyManager, KeySummary, RotationResult } from '../keys/key-manager.js'
import type { GroupRecord, PermissionRecord } from '../stores/permission-store.js'
import type { UserRecord } from '../stores/user-store.js'
import type { AdminActor } from './admin-actor.js'
import {
  adminCreateGroup,
  adminCreatePermission,
  adminDeleteGroup,
  adminRenameGroup,
  adminSetMembership,
  adminSetPermission,
  type PermissionHolder,
} from './admin-groups.js'
import { adminRetireKey, adminRetryMail, adminRotateKey } from './admin-keys-mail.js'
import {
  type AdminUserDetail,
  adminCreateUser,
  adminDeleteUser,
  adminSetPassword,
  adminUpdateUser,
  adminUserDetail,
} from './admin-users.js'
import type { ServiceContext } from './service-context.js'

type Body = Readonly<Record<string, unknown>>

/**
 * The changes staff and operators make to users, groups, permissions, keys and the outbox:
 * each validated like the rest of the API (DRF field errors), applied, and audited with its
 * actor. Who may call what is the caller's decision (the admin routes' guards, the CLI's
 * shell); the one rule kept here is Django admin's: only a superuser changes `is_staff` or
 * `is_superuser`. Reads go to the stores directly (`auth.stores`).
 *
 * @example
 * await auth.admin.updateUser(actor, '42', { is_active: false }) // their sessions end now
 */
export class AdminService {
  readonly #context: ServiceContext

  constructor(context: ServiceContext) {
    this.#context = context
  }

  /** A user with groups, permissions and MFA state, or undefined. */
  userDetail(userId: string): Promise<AdminUserDetail | undefined> {
    return adminUserDetail(this.#context, userId)
  }

  /** Creates a user (`password` optional: unusable without); throws `ValidationError`. */
  createUser(actor: AdminActor, input: Body): Promise<UserRecord> {
    return adminCreateUser(this.#context, actor, input)
  }

  /** Changes a user's fields; deactivation ends every session. `NotFoundError`, `ValidationError`. */
  updateUser(actor: AdminActor, userId: string, input: Body): Promise<UserRecord> {
    return adminUpdateUser(this.#context, actor, userId, input)
  }

  /** Sets a password (`{new_password}`) and ends every session of the user. */
  setPassword(actor: AdminActor, userId: string, input: Body): Promise<void> {
    return adminSetPassword(this.#context, actor, userId, input)
  }

  /** Deletes a user other than the actor. */
  deleteUser(actor: AdminActor, userId: string): Promise<void> {
    return adminDeleteUser(this.#context, actor, userId)
  }

  /** Adds a user to a group (`member` true) or removes them; idempotent. */
  setMembership(actor: AdminActor, userId: string, groupId: string, member: boolean) {
    return adminSetMembership(this.#context, actor, userId, groupId, member)
  }

  /** Grants (`granted` true) or revokes `app_label.codename` for a user or group; idempotent. */
  setPermission(actor: AdminActor, holder: PermissionHolder, name: string, granted: boolean) {
    return adminSetPermission(this.#context, actor, holder, name, granted)
  }

  /** Creates a group `{name}`. */
  createGroup(actor: AdminActor, input: Body): Promise<GroupRecord> {
    return adminCreateGroup(this.#context, actor, input)
  }

  /** Renames a group `{name}`. */
  renameGroup(actor: AdminActor, groupId: string, input: Body): Promise<GroupRecord> {
    return adminRenameGroup(this.#context, actor, groupId, input)
  }

  /** Deletes a group with its memberships and grants. */
  deleteGroup(actor: AdminActor, groupId: string): Promise<void> {
    return adminDeleteGroup(this.#context, actor, groupId)
  }

  /** Creates a permission `{app_label, codename, name}`. */
  createPermission(actor: AdminActor, input: Body): Promise<PermissionRecord> {
    return adminCreatePermission(this.#context, actor, input)
  }

  /** Rotates the key ring of `manager`. */
  rotateKey(actor: AdminActor, manager: KeyManager, alg?: AsymmetricAlgorithm) {
    return adminRotateKey(this.#context, actor, manager, alg) as Promise<RotationResult>
  }

  /** Retires one key of `manager`. */
  retireKey(actor: AdminActor, manager: KeyManager, kid: string): Promise<KeySummary> {
    return adminRetireKey(this.#context, actor, manager, kid)
  }

  /** Puts a failed outbox message back in the queue. */
  retryMail(actor: AdminActor, id: string): Promise<void> {
    return adminRetryMail(this.#context, actor, id)
  }
}
