import type { JsonObject } from '../jws/compact.js'
import type { UserRecord } from '../stores/user-store.js'
import type { VerifiedToken } from '../tokens/token-types.js'

/** The sender of a request, once authentication ran. */
export type RequestUser = AnonymousUser | StoredUser | ClaimsUser

/** No credentials, or another scheme: DRF's `AnonymousUser`. */
export interface AnonymousUser {
  readonly isAuthenticated: false
}

/** A user authenticated by an auth server that has the user's row (the Tessera plugins). */
export interface StoredUser {
  readonly isAuthenticated: true
  readonly id: string
  /** The verified access token. */
  readonly token: VerifiedToken
  /** The user's row (from the user cache). */
  readonly record: UserRecord
}

/**
 * A user authenticated by a resource server, which has no user row: only the verified token's
 * claims. `isStaff` and `isSuperuser` come from claims the resource server names (false
 * otherwise), so `isAdminUser` and `hasPermissions` refuse unless the issuer vouches for them.
 */
export interface ClaimsUser {
  readonly isAuthenticated: true
  readonly id: string
  /** The verified access token. */
  readonly token: VerifiedToken
  /** Absent: there is no row on a resource server (narrow on it to tell the two apart). */
  readonly record?: undefined
  /** The verified token's claims. */
  readonly claims: Readonly<JsonObject>
  /** From the configured staff claim (`true` only); false when none is configured. */
  readonly isStaff: boolean
  /** From the configured superuser claim (`true` only): every permission, as Django's. */
  readonly isSuperuser: boolean
  /** `app_label.codename` permissions from the configured claim; empty when none. */
  readonly permissions: ReadonlySet<string>
}

/** An authenticated sender, with or without a user row. */
export type AuthenticatedUser = StoredUser | ClaimsUser

/** What a permission check sees. */
export interface PermissionContext {
  /** HTTP method, upper case. */
  readonly method: string
  readonly user: RequestUser
  /**
   * The user's `app_label.codename` permissions, loaded on first use (for a {@link ClaimsUser},
   * its `permissions`).
   */
  permissions(): Promise<ReadonlySet<string>>
}

/**
 * A DRF-style permission: `check` runs before the handler; `checkObject` when the handler asks
 * about one object (DRF's `has_object_permission`). Results may be sync or async.
 */
export interface Permission {
  check(context: PermissionContext): boolean | Promise<boolean>
  checkObject?(context: PermissionContext, object: unknown): boolean | Promise<boolean>
}

/** DRF's SAFE_METHODS. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS'])
