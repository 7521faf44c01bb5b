import { afterEach, describe, expect, it } from 'vitest'
import { type AdminApp, buildAdminApp, call } from './admin-fixture.js'

let subject: AdminApp | undefined
afterEach(async () => {
  await subject?.app.close()
  subject = undefined
})

async function fixture(): Promise<AdminApp> {
  subject = await buildAdminApp()
  return subject
}

describe('admin groups and permissions', () => {
  it('creates, renames, lists and deletes groups, audited with the actor', async () => {
    const { app, editor, viewer, plain, stores } = await fixture()
    const created = await call(app, 'POST', '/api/admin/groups/', editor, { name: ' editors ' })
    expect(created.statusCode).toBe(201)
    const group = created.json()
    expect(group).toEqual({
      id: expect.any(String),
      name: 'editors',
      permissions: [],
      member_count: 0,
    })
    const taken = await call(app, 'POST', '/api/admin/groups/', editor, { name: 'editors' })
    expect(taken.statusCode).toBe(400)
    expect(taken.json()).toEqual({ name: ['group with this name already exists.'] })
    for (const payload of [{}, { name: '' }, { name: 7 }, { name: 'x'.repeat(151) }]) {
      const bad = await call(app, 'POST', '/api/admin/groups/', editor, payload)
      expect(bad.statusCode, JSON.stringify(payload)).toBe(400)
      expect(Object.keys(bad.json())).toEqual(['name'])
    }
    await call(app, 'PUT', `/api/admin/users/${plain.id}/groups/${group.id}/`, editor)
    await stores.permissions.ensurePermission('blog', 'add_post', 'Can add post')
    const grant = await call(
      app,
      'PUT',
      `/api/admin/groups/${group.id}/permissions/blog.add_post/`,
      editor,
    )
    expect(grant.statusCode).toBe(204)
    const renamed = await call(app, 'PATCH', `/api/admin/groups/${group.id}/`, editor, {
      name: 'writers',
    })
    expect(renamed.json()).toEqual({
      id: group.id,
      name: 'writers',
      permissions: ['blog.add_post'],
      member_count: 1,
    })
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(200)
    const list = await call(app, 'GET', '/api/admin/groups/?search=WRIT', viewer)
    expect(list.json()).toMatchObject({ count: 1, next: null, previous: null })
    const members = await call(app, 'GET', `/api/admin/groups/${group.id}/members/`, viewer)
    expect(members.json().results.map((user: { username: string }) => user.username)).toEqual([
      'plain',
    ])
    const revoke = await call(
      app,
      'DELETE',
      `/api/admin/groups/${group.id}/permissions/blog.add_post/`,
      editor,
    )
    expect(revoke.statusCode).toBe(204)
    expect((await call(app, 'DELETE', `/api/admin/groups/${group.id}/`, editor)).statusCode).toBe(
      204,
    )
    expect((await call(app, 'GET', `/api/admin/groups/${group.id}/`, viewer)).statusCode).toBe(404)
    const { items } = await stores.audit.queryEvents({
      types: ['group_created', 'group_renamed', 'permission_granted', 'group_deleted'],
      offset: 0,
      limit: 10,
    })
    expect(items.map((event) => event.type)).toEqual([
      'group_deleted',
      'group_renamed',
      'permission_granted',
      'group_created',
    ])
    for (const event of items) expect(event.data.actor_id).toBe(editor.id)
    expect(items[1]?.data).toMatchObject({ from: 'editors', to: 'writers' })
  })

  it('answers 404 for unknown groups and permissions on every group route', async () => {
    const { app, root } = await fixture()
    for (const id of ['999', 'x', '0']) {
      for (const [method, suffix, payload] of [
        ['GET', '', undefined],
        ['PATCH', '', { name: 'n' }],
        ['DELETE', '', undefined],
        ['GET', 'members/', undefined],
        ['PUT', 'permissions/a.b/', undefined],
      ] as const) {
        const response = await call(app, method, `/api/admin/groups/${id}/${suffix}`, root, payload)
        expect(response.statusCode, `${method} ${id} ${suffix}`).toBe(404)
      }
    }
  })

  it('creates and lists permissions; duplicates and bad names are 400', async () => {
    const { app, root, editor, viewer } = await fixture()
    const payload = { app_label: 'blog', codename: 'publish_post', name: 'Can publish post' }
    expect((await call(app, 'POST', '/api/admin/permissions/', editor, payload)).statusCode).toBe(
      403,
    )
    const created = await call(app, 'POST', '/api/admin/permissions/', root, payload)
    expect(created.statusCode).toBe(201)
    expect(created.json()).toEqual({ id: expect.any(String), ...payload })
    const again = await call(app, 'POST', '/api/admin/permissions/', root, payload)
    expect(again.statusCode).toBe(400)
    const bad = await call(app, 'POST', '/api/admin/permissions/', root, {
      app_label: '1x',
      codename: 'has space',
      name: '',
    })
    expect(bad.statusCode).toBe(400)
    expect(Object.keys(bad.json()).sort()).toEqual(['app_label', 'codename', 'name'])
    const list = await call(app, 'GET', '/api/admin/permissions/?search=publish', viewer)
    expect(list.json()).toMatchObject({ count: 1, results: [payload] })
    const page = await call(app, 'GET', '/api/admin/permissions/?page=2', viewer)
    expect(page.statusCode).toBe(404)
  })
})
