import { afterEach, expect, it } from 'vitest'
import { type AdminApp, buildAdminApp, call } from './admin-fixture.js'
import { describeOnEveryStore } from './store-backends.js'

// The admin API on every store adapter: the answers, hostile filters included, must not depend
// on the database behind them (PostgreSQL refuses U+0000, collations differ, LIKE has wildcards).
describeOnEveryStore('admin API', (backend) => {
  let subject: AdminApp | undefined
  afterEach(async () => {
    await subject?.app.close()
    subject = undefined
  })

  it('searches, filters and pages alike; hostile filters are never a 500', async () => {
    subject = await buildAdminApp({}, await backend.open())
    const { app, viewer, root } = subject
    const names = async (query: string) => {
      const response = await call(app, 'GET', `/api/admin/users/?${query}`, viewer)
      expect(response.statusCode, query).toBe(200)
      return response.json().results.map((user: { username: string }) => user.username)
    }
    expect(await names('ordering=username')).toEqual(['editor', 'plain', 'root', 'viewer'])
    expect(await names('search=OO&ordering=-username')).toEqual(['root'])
    expect(await names('search=%25')).toEqual([])
    expect(await names('search=_')).toEqual([])
    expect(await names('search=%00')).toEqual([])
    expect(await names('is_staff=true&page_size=1&page=2')).toEqual(['viewer'])
    const created = await call(app, 'POST', '/api/admin/groups/', root, { name: 'Ünits' })
    const group = created.json() as { id: string }
    await call(app, 'PUT', `/api/admin/users/${viewer.id}/groups/${group.id}/`, root)
    expect(await names(`group=${group.id}`)).toEqual(['viewer'])
    for (const query of [
      'user=%00',
      'type=%00',
      'type=a%00b,logout',
      'user=%F0%9F%92%A9',
      'since=%00',
      'user=99999999999999999999',
    ]) {
      const response = await call(app, 'GET', `/api/admin/audit/?${query}`, viewer)
      expect(response.statusCode, query).toBeLessThan(500)
    }
    for (const url of [
      `/api/admin/users/${viewer.id}/permissions/a%00.b/`,
      `/api/admin/groups/${group.id}/permissions/%00.%00/`,
      '/api/admin/groups/%00/',
      '/api/admin/mail/%00/retry/',
    ]) {
      const response = await call(app, 'PUT', url, root)
      expect(response.statusCode, url).toBeLessThan(500)
    }
    const renamed = await call(app, 'PATCH', `/api/admin/groups/${group.id}/`, root, {
      name: 'bad\u0000name',
    })
    expect(renamed.statusCode).toBe(400)
  })

  it('deactivation refuses the open session at its next request', async () => {
    subject = await buildAdminApp({}, await backend.open())
    const { app, editor, plain } = subject
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(200)
    const patch = await call(app, 'PATCH', `/api/admin/users/${plain.id}/`, editor, {
      is_active: false,
    })
    expect(patch.statusCode).toBe(200)
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(401)
    const audit = await call(
      app,
      'GET',
      `/api/admin/audit/?user=${plain.id}&type=user_deactivated`,
      editor,
    )
    expect(audit.json()).toMatchObject({ count: 1, results: [{ data: { actor_id: editor.id } }] })
  })
})
