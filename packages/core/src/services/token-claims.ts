import type { Stores } from '../stores/stores.js'
import type { UserRecord } from '../stores/user-store.js'
import type { JsonValue } from '../tokens/token-types.js'

/** Loads the claims a deployment puts in every new session's tokens, for `user`. */
export type TokenClaimsLoader = (user: UserRecord) => Promise<Readonly<Record<string, JsonValue>>>

/** The user facts `TOKEN_CLAIMS` can name; `profile.<field>` adds a declared profile field. */
export const TOKEN_CLAIM_NAMES = [
  'is_staff',
  'is_superuser',
  'groups',
  'permissions',
  'username',
  'email',
  'first_name',
  'last_name',
] as const

/** One of {@link TOKEN_CLAIM_NAMES}, or `profile.<field>`. */
export type TokenClaimName = (typeof TOKEN_CLAIM_NAMES)[number] | `profile.${string}`

/** The claims that are a field of the user row. */
const USER_FIELDS = {
  is_staff: (user: UserRecord) => user.isStaff,
  is_superuser: (user: UserRecord) => user.isSuperuser,
  username: (user: UserRecord) => user.username,
  email: (user: UserRecord) => user.email,
  first_name: (user: UserRecord) => user.firstName,
  last_name: (user: UserRecord) => user.lastName,
} as const

/**
 * The loader of `TOKEN_CLAIMS`: claims resource servers read without calling Tessera (their
 * `staffClaim: 'is_staff'`, `superuserClaim: 'is_superuser'`, `permissionsClaim: 'permissions'`).
 * Permissions are Django's `get_all_permissions()` (direct and through groups), sorted; groups
 * by name. They are read when a session starts and travel with its refresh token, so a change
 * reaches tokens at the next login. Personal data (names, email) only when named: tokens are
 * readable by whoever holds them.
 */
export function tokenClaimsLoader(
  names: readonly TokenClaimName[],
  stores: Pick<Stores, 'permissions'>,
): TokenClaimsLoader | undefined {
  if (names.length === 0) return undefined
  return async (user) => {
    const claims: Record<string, JsonValue> = {}
    for (const name of names) {
      if (name === 'groups') {
        const groups = await stores.permissions.listUserGroups(user.id)
        claims[name] = groups.map((group) => group.name).sort()
      } else if (name === 'permissions') {
        claims[name] = [...(await stores.permissions.listUserPermissions(user.id))].sort()
      } else if (name.startsWith('profile.')) {
        const field = name.slice('profile.'.length)
        const value = user.profile[field]
        if (value !== undefined) claims[field] = value
      } else {
        claims[name] = USER_FIELDS[name as keyof typeof USER_FIELDS](user)
      }
    }
    return claims
  }
}
