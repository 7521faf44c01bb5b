import {
  allowAny,
  and,
  type ClaimsUser,
  createClaimsUser,
  hasPermissions,
  isAdminUser,
  isAuthenticated,
  isAuthenticatedOrReadOnly,
  modelPermissions,
  not,
  or,
  type Permission,
  type RequestUser,
  type VerifiedToken,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

const token = (claims: Record<string, unknown>): VerifiedToken & { userId: string } => ({
  type: 'access',
  jti: 'j',
  userId: '42',
  sessionId: undefined,
  exp: 2,
  iat: 1,
  kid: 'k',
  claims: { user_id: '42', ...claims },
})

async function allows(permission: Permission, user: RequestUser, method = 'GET') {
  const granted = user.isAuthenticated && user.record === undefined ? user.permissions : new Set()
  return permission.check({
    method,
    user,
    permissions: async () => granted as ReadonlySet<string>,
  })
}

const anonymous: RequestUser = { isAuthenticated: false }
const plain: ClaimsUser = createClaimsUser(token({ is_staff: true, perms: ['a.b'] }))
const vouched: ClaimsUser = createClaimsUser(
  token({ is_staff: true, is_superuser: 'true', perms: ['blog.add_post', 'blog.view_post'] }),
  { staffClaim: 'is_staff', superuserClaim: 'is_superuser', permissionsClaim: 'perms' },
)
const superuser = createClaimsUser(token({ root: true }), { superuserClaim: 'root' })

describe('permissions on claims-only users (resource servers)', () => {
  it('allowAny, isAuthenticated and isAuthenticatedOrReadOnly', async () => {
    expect(await allows(allowAny, anonymous)).toBe(true)
    expect(await allows(isAuthenticated, anonymous)).toBe(false)
    expect(await allows(isAuthenticated, plain)).toBe(true)
    expect(await allows(isAuthenticatedOrReadOnly, anonymous, 'GET')).toBe(true)
    expect(await allows(isAuthenticatedOrReadOnly, anonymous, 'POST')).toBe(false)
    expect(await allows(isAuthenticatedOrReadOnly, plain, 'POST')).toBe(true)
  })

  it('isAdminUser only when the configured staff claim is true', async () => {
    expect(await allows(isAdminUser, plain)).toBe(false)
    expect(vouched.isStaff).toBe(true)
    expect(await allows(isAdminUser, vouched)).toBe(true)
    expect(await allows(isAdminUser, superuser)).toBe(false)
  })

  it('hasPermissions from the configured claim, all for a vouched superuser only', async () => {
    expect(await allows(hasPermissions('a.b'), plain)).toBe(false)
    expect(vouched.isSuperuser).toBe(false)
    expect(await allows(hasPermissions('blog.add_post'), vouched)).toBe(true)
    expect(await allows(hasPermissions('blog.add_post', 'blog.delete_post'), vouched)).toBe(false)
    expect(await allows(hasPermissions('anything.at_all'), superuser)).toBe(true)
    expect(await allows(modelPermissions('blog', 'post'), vouched, 'POST')).toBe(true)
    expect(await allows(modelPermissions('blog', 'post'), vouched, 'DELETE')).toBe(false)
  })

  it('and / or / not compose the same way', async () => {
    expect(await allows(and(isAuthenticated, isAdminUser), vouched)).toBe(true)
    expect(await allows(and(isAuthenticated, isAdminUser), plain)).toBe(false)
    expect(await allows(or(isAdminUser, hasPermissions('a.b')), plain)).toBe(false)
    expect(await allows(not(isAdminUser), plain)).toBe(true)
  })
})
