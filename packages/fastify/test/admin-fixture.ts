import type { AuthService, Stores } from '@tessera/core'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { buildTestApp } from './app-fixture.js'

/** The password of every fixture user. */
export const ADMIN_PASSWORD = 'correct horse battery'

/** Someone signed in: their id and access token. */
export interface SignedIn {
  readonly id: string
  readonly access: string
  readonly refresh: string
}

/** An app with a superuser, a read-only staff member, an editor and a plain user, signed in. */
export interface AdminApp {
  readonly app: FastifyInstance
  readonly auth: AuthService
  readonly stores: Stores
  /** is_superuser (and staff): every change. */
  readonly root: SignedIn
  /** is_staff only: reads. */
  readonly viewer: SignedIn
  /** is_staff with the auth.*_user and auth.*_group permissions (not a superuser). */
  readonly editor: SignedIn
  /** Neither staff nor superuser. */
  readonly plain: SignedIn
}

/** Registers `username` through the API, sets `flags`, grants `permissions`, logs in. */
export async function signUp(
  app: FastifyInstance,
  stores: Stores,
  username: string,
  flags: { isStaff?: boolean; isSuperuser?: boolean } = {},
  permissions: readonly string[] = [],
): Promise<SignedIn> {
  const register = await app.inject({
    method: 'POST',
    url: '/api/register/',
    payload: { username, password: ADMIN_PASSWORD, email: `${username}@example.com` },
  })
  if (register.statusCode !== 201) throw new Error(`register failed: ${register.body}`)
  const id = (register.json() as { id: string }).id
  await stores.users.updateUser(id, flags)
  for (const name of permissions) {
    const [appLabel, codename] = name.split('.') as [string, string]
    const permission = await stores.permissions.ensurePermission(appLabel, codename, name)
    await stores.permissions.grantUserPermission(id, permission.id)
  }
  const login = await app.inject({
    method: 'POST',
    url: '/api/token/',
    payload: { username, password: ADMIN_PASSWORD },
  })
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`)
  const { access, refresh } = login.json() as { access: string; refresh: string }
  return { id, access, refresh }
}

/** The admin fixture on memory stores (settings overrides as `buildTestApp`). */
export async function buildAdminApp(
  settings: Parameters<typeof buildTestApp>[0] = {},
): Promise<AdminApp> {
  const { app, auth } = await buildTestApp(settings)
  const { stores } = auth
  const root = await signUp(app, stores, 'root', { isStaff: true, isSuperuser: true })
  const viewer = await signUp(app, stores, 'viewer', { isStaff: true })
  const editor = await signUp(app, stores, 'editor', { isStaff: true }, [
    'auth.add_user',
    'auth.change_user',
    'auth.delete_user',
    'auth.add_group',
    'auth.change_group',
    'auth.delete_group',
  ])
  const plain = await signUp(app, stores, 'plain')
  return { app, auth, stores, root, viewer, editor, plain }
}

/** One request to the API as `who` (anonymous when undefined). */
export function call(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  who?: SignedIn,
  payload?: unknown,
): Promise<LightMyRequestResponse> {
  return app.inject({
    method,
    url,
    headers: who === undefined ? {} : { authorization: `Bearer ${who.access}` },
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  })
}
