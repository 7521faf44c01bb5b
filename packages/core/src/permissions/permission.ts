import type { UserRecord } from '../stores/user-store.js'
import type { VerifiedToken } from '../tokens/token-types.js'

/** The sender of a request, once authentication ran. */
export type RequestUser =
  | { readonly isAuthenticated: false }
  | {
      readonly isAuthenticated: true
      readonly id: string
      /** The verified access token. */
      readonly token: VerifiedToken
      /** The user's row (from the user cache). */
      readonly record: UserRecord
    }

/** What a permission check sees. */
export interface PermissionContext {
  /** HTTP method, upper case. */
  readonly method: string
  readonly user: RequestUser
  /** The user's `app_label.codename` permissions, loaded on first use. */
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
