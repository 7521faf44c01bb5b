import type { ClaimsUser } from '../permissions/permission.js'
import type { VerifiedToken } from '../tokens/token-types.js'

/**
 * Which claims vouch for staff, superuser and permissions on a resource server. Tessera writes
 * none of them by default: an issuer adds them with its custom-claims hook. Unset, a claims
 * user is never staff, never superuser and has no permissions.
 */
export interface ClaimsUserOptions {
  /** A claim whose value `true` makes the user staff (`isAdminUser`), e.g. `is_staff`. */
  readonly staffClaim?: string
  /** A claim whose value `true` makes the user a superuser (every permission). */
  readonly superuserClaim?: string
  /** A claim holding an array of `app_label.codename` strings (`hasPermissions`). */
  readonly permissionsClaim?: string
}

const NO_PERMISSIONS: ReadonlySet<string> = new Set()

/** The request user of a resource server, from a verified access token with a user id. */
export function createClaimsUser(
  token: VerifiedToken & { readonly userId: string },
  options: ClaimsUserOptions = {},
): ClaimsUser {
  const { claims } = token
  const { staffClaim, superuserClaim, permissionsClaim } = options
  const listed = permissionsClaim === undefined ? undefined : claims[permissionsClaim]
  return {
    isAuthenticated: true,
    id: token.userId,
    token,
    claims,
    // Only a JSON `true`: "false", 1 or "yes" vouch for nothing.
    isStaff: staffClaim !== undefined && claims[staffClaim] === true,
    isSuperuser: superuserClaim !== undefined && claims[superuserClaim] === true,
    permissions: Array.isArray(listed)
      ? new Set(listed.filter((entry): entry is string => typeof entry === 'string'))
      : NO_PERMISSIONS,
  }
}
