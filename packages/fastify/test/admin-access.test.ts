import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AdminApp, buildAdminApp, call, type SignedIn } from './admin-fixture.js'

// Every admin route, as DRF's permission classes decide: anonymous 401, non-staff 403, staff
// read; changes need the model permission or a superuser. `change` is the permission a change
// route needs (undefined for reads).
type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
interface Route {
  readonly method: Method
  readonly url: string
  readonly change?: string
  readonly payload?: unknown
}

let subject: AdminApp
let routes: Route[]

beforeAll(async () => {
  subject = await buildAdminApp()
  const { stores, plain } = subject
  const group = await stores.permissions.createGroup('sweep')
  await stores.permissions.ensurePermission('blog', 'add_post', 'Can add post')
  const message = await stores.mail.enqueue({
    kind: 'activation',
    from: 'noreply@example.com',
    to: 'x@example.com',
    subject: 's',
    text: 't',
    html: null,
    createdAt: 1,
    userId: null,
  })
  const [key] = await subject.keys.list()
  const user = `/api/admin/users/${plain.id}`
  routes = [
    { method: 'GET', url: '/api/admin/users/' },
    {
      method: 'POST',
      url: '/api/admin/users/',
      change: 'auth.add_user',
      payload: { username: 'n' },
    },
    { method: 'GET', url: `${user}/` },
    { method: 'PATCH', url: `${user}/`, change: 'auth.change_user', payload: { first_name: 'P' } },
    { method: 'DELETE', url: `${user}/`, change: 'auth.delete_user' },
    {
      method: 'POST',
      url: `${user}/set_password/`,
      change: 'auth.change_user',
      payload: { new_password: 'another horse battery' },
    },
    { method: 'POST', url: `${user}/mfa/reset/`, change: 'auth.change_user' },
    { method: 'GET', url: `${user}/sessions/` },
    { method: 'DELETE', url: `${user}/sessions/abc/`, change: 'auth.change_user' },
    { method: 'POST', url: `${user}/logout_all/`, change: 'auth.change_user' },
    { method: 'GET', url: `${user}/devices/` },
    { method: 'DELETE', url: `${user}/devices/abc/`, change: 'auth.change_user' },
    { method: 'PUT', url: `${user}/groups/${group.id}/`, change: 'auth.change_user' },
    { method: 'DELETE', url: `${user}/groups/${group.id}/`, change: 'auth.change_user' },
    { method: 'PUT', url: `${user}/permissions/blog.add_post/`, change: 'auth.change_user' },
    { method: 'DELETE', url: `${user}/permissions/blog.add_post/`, change: 'auth.change_user' },
    { method: 'GET', url: '/api/admin/groups/' },
    { method: 'POST', url: '/api/admin/groups/', change: 'auth.add_group', payload: { name: 'g' } },
    { method: 'GET', url: `/api/admin/groups/${group.id}/` },
    {
      method: 'PATCH',
      url: `/api/admin/groups/${group.id}/`,
      change: 'auth.change_group',
      payload: { name: 'h' },
    },
    { method: 'DELETE', url: `/api/admin/groups/${group.id}/`, change: 'auth.delete_group' },
    { method: 'GET', url: `/api/admin/groups/${group.id}/members/` },
    {
      method: 'PUT',
      url: `/api/admin/groups/${group.id}/permissions/blog.add_post/`,
      change: 'auth.change_group',
    },
    {
      method: 'DELETE',
      url: `/api/admin/groups/${group.id}/permissions/blog.add_post/`,
      change: 'auth.change_group',
    },
    { method: 'GET', url: '/api/admin/permissions/' },
    {
      method: 'POST',
      url: '/api/admin/permissions/',
      change: 'auth.add_permission',
      payload: { app_label: 'a', codename: 'b', name: 'c' },
    },
    { method: 'GET', url: '/api/admin/audit/' },
    { method: 'GET', url: '/api/admin/keys/' },
    { method: 'POST', url: '/api/admin/keys/rotate/', change: 'tessera.change_signingkey' },
    {
      method: 'POST',
      url: `/api/admin/keys/${key?.kid}/retire/`,
      change: 'tessera.change_signingkey',
    },
    { method: 'GET', url: '/api/admin/mail/' },
    {
      method: 'POST',
      url: `/api/admin/mail/${message.id}/retry/`,
      change: 'tessera.change_mailmessage',
    },
  ]
})

afterAll(async () => {
  await subject.app.close()
})

const send = (route: Route, who?: SignedIn) =>
  call(subject.app, route.method, route.url, who, route.payload)

describe('admin API permissions, every route', () => {
  it('refuses anonymous requests with 401 and the challenge', async () => {
    for (const route of routes) {
      const response = await send(route)
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(401)
      expect(response.json()).toEqual({ detail: 'Authentication credentials were not provided.' })
      expect(response.headers['www-authenticate']).toMatch(/^Bearer/)
    }
  })

  it('refuses a signed-in user who is not staff with 403, reads and changes alike', async () => {
    for (const route of routes) {
      const response = await send(route, subject.plain)
      expect(response.statusCode, `${route.method} ${route.url}`).toBe(403)
      expect(response.json()).toEqual({
        detail: 'You do not have permission to perform this action.',
      })
    }
  })

  it('lets read-only staff read and refuses them every change', async () => {
    for (const route of routes) {
      const response = await send(route, subject.viewer)
      const label = `${route.method} ${route.url}`
      if (route.change === undefined) expect(response.statusCode, label).toBe(200)
      else expect(response.statusCode, label).toBe(403)
    }
  })

  it('lets staff holding the model permission change; the others stay refused', async () => {
    for (const route of routes) {
      if (route.change === undefined) continue
      const response = await send(route, subject.editor)
      const label = `${route.method} ${route.url}`
      const held = ['user', 'group'].some((model) => route.change?.endsWith(`_${model}`))
      if (held) expect(response.statusCode, label).not.toBe(403)
      else expect(response.statusCode, label).toBe(403)
      expect(response.statusCode, label).toBeLessThan(500)
    }
  })
})

describe('admin API with MFA_REQUIRED_FOR_STAFF', () => {
  it('refuses staff without a second factor on reads and changes alike', async () => {
    const app = await buildAdminApp({ MFA_REQUIRED_FOR_STAFF: true })
    try {
      for (const [method, url] of [
        ['GET', '/api/admin/users/'],
        ['GET', '/api/admin/audit/'],
        ['POST', '/api/admin/groups/'],
      ] as const) {
        const response = await call(app.app, method, url, app.root, { name: 'x' })
        expect(response.statusCode, url).toBe(403)
        expect(response.json()).toEqual({
          detail: 'Staff accounts must enable two-factor authentication first.',
          code: 'mfa_enrollment_required',
        })
      }
      // Not staff: the plain 403, not an invitation to enrol.
      const plain = await call(app.app, 'GET', '/api/admin/users/', app.plain)
      expect(plain.json()).toEqual({ detail: 'You do not have permission to perform this action.' })
    } finally {
      await app.app.close()
    }
  })
})
