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

describe('admin users: listing', () => {
  it('pages DRF-style with count, next and previous links', async () => {
    const { app, viewer } = await fixture()
    const first = await call(app, 'GET', '/api/admin/users/?page_size=2&ordering=username', viewer)
    expect(first.statusCode).toBe(200)
    const body = first.json()
    expect(body.count).toBe(4)
    expect(body.results.map((user: { username: string }) => user.username)).toEqual([
      'editor',
      'plain',
    ])
    expect(body.previous).toBeNull()
    expect(body.next).toBe('http://localhost/api/admin/users/?page_size=2&ordering=username&page=2')
    const second = await call(
      app,
      'GET',
      new URL(body.next).pathname + new URL(body.next).search,
      viewer,
    )
    expect(second.json()).toMatchObject({ count: 4, next: null })
    expect(second.json().previous).toBe(
      'http://localhost/api/admin/users/?page_size=2&ordering=username',
    )
    expect(second.json().results[0]).toEqual({
      id: expect.any(String),
      username: 'root',
      email: 'root@example.com',
      first_name: '',
      last_name: '',
      is_active: true,
      is_staff: true,
      is_superuser: true,
      date_joined: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      // simplejwt's UPDATE_LAST_LOGIN is off by default.
      last_login: null,
    })
  })

  it('answers DRF\'s 404 "Invalid page." past the last page and for a bad page', async () => {
    const { app, viewer } = await fixture()
    for (const page of ['3', '0', '-1', 'abc', '1.5', '99999999999']) {
      const response = await call(app, 'GET', `/api/admin/users/?page_size=2&page=${page}`, viewer)
      expect(response.statusCode, page).toBe(404)
      expect(response.json()).toEqual({ detail: 'Invalid page.' })
    }
    // A bad page_size falls back to the default; a big one is capped.
    for (const size of ['0', 'x', '-3', '1000']) {
      const response = await call(app, 'GET', `/api/admin/users/?page_size=${size}`, viewer)
      expect(response.statusCode, size).toBe(200)
      expect(response.json().results).toHaveLength(4)
    }
    const empty = await call(app, 'GET', '/api/admin/users/?search=nobody', viewer)
    expect(empty.json()).toEqual({ count: 0, next: null, previous: null, results: [] })
  })

  it('searches and filters; bad filters are 400 field errors', async () => {
    const { app, viewer } = await fixture()
    const names = async (query: string) =>
      (await call(app, 'GET', `/api/admin/users/?${query}`, viewer))
        .json()
        .results.map((user: { username: string }) => user.username)
    expect(await names('search=ROO')).toEqual(['root'])
    expect(await names('is_staff=false')).toEqual(['plain'])
    expect(await names('is_superuser=true')).toEqual(['root'])
    expect(await names('ordering=-username&is_staff=true')).toEqual(['viewer', 'root', 'editor'])
    expect(await names('ordering=password')).toHaveLength(4)
    const bad = await call(app, 'GET', '/api/admin/users/?is_active=maybe&group=999', viewer)
    expect(bad.statusCode).toBe(400)
    expect(Object.keys(bad.json()).sort()).toEqual(['group', 'is_active'])
  })
})

describe('admin users: changes', () => {
  it('creates a user with validated fields; no password means an unusable one', async () => {
    const { app, editor, stores } = await fixture()
    const created = await call(app, 'POST', '/api/admin/users/', editor, {
      username: 'newbie',
      email: 'newbie@example.com',
      first_name: 'New',
    })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toMatchObject({ username: 'newbie', is_active: true, is_staff: false })
    const stored = await stores.users.findUserByUsernameKey('newbie')
    expect(stored?.password?.startsWith('!')).toBe(true)
    const login = await call(app, 'POST', '/api/token/', undefined, {
      username: 'newbie',
      password: '',
    })
    expect(login.statusCode).toBe(400)
    const withPassword = await call(app, 'POST', '/api/admin/users/', editor, {
      username: 'second',
      password: 'another horse battery',
    })
    expect(withPassword.statusCode).toBe(201)
    const loginTwo = await call(app, 'POST', '/api/token/', undefined, {
      username: 'second',
      password: 'another horse battery',
    })
    expect(loginTwo.statusCode).toBe(200)
    const { items } = await stores.audit.queryEvents({
      types: ['user_created'],
      offset: 0,
      limit: 1,
    })
    expect(items[0]).toMatchObject({
      type: 'user_created',
      data: { username: 'second', actor_id: editor.id },
    })
  })

  it('answers 400 field errors for bad input, never a 500', async () => {
    const { app, root } = await fixture()
    const cases: [unknown, string[]][] = [
      [{}, ['username']],
      [{ username: 'root' }, ['username']],
      [{ username: 'x y!' }, ['username']],
      [{ username: 'ok', email: 'nope' }, ['email']],
      [{ username: 'ok', password: 'short' }, ['password']],
      [{ username: 'ok', password: 'ok-ok-ok-ok', is_staff: 'yes' }, ['is_staff']],
      [{ username: 'ok', first_name: 'x'.repeat(151) }, ['first_name']],
      [{ username: 'ok\u0000' }, ['username']],
    ]
    for (const [payload, fields] of cases) {
      const response = await call(app, 'POST', '/api/admin/users/', root, payload)
      expect(response.statusCode, JSON.stringify(payload)).toBe(400)
      expect(Object.keys(response.json()), JSON.stringify(payload)).toEqual(fields)
    }
    for (const payload of ['[1]', '"text"', '{"username":', 'null']) {
      const response = await app.inject({
        method: 'POST',
        url: '/api/admin/users/',
        headers: { authorization: `Bearer ${root.access}`, 'content-type': 'application/json' },
        payload,
      })
      expect(response.statusCode, payload).toBe(400)
    }
  })

  it('lets only a superuser change is_staff and is_superuser', async () => {
    const { app, editor, root, plain } = await fixture()
    const url = `/api/admin/users/${plain.id}/`
    const refused = await call(app, 'PATCH', url, editor, { is_staff: true })
    expect(refused.statusCode).toBe(403)
    const create = await call(app, 'POST', '/api/admin/users/', editor, {
      username: 'boss',
      is_superuser: true,
    })
    expect(create.statusCode).toBe(403)
    const names = await call(app, 'PATCH', url, editor, { first_name: 'Pat', is_staff: false })
    expect(names.statusCode).toBe(200)
    expect(names.json()).toMatchObject({ first_name: 'Pat', is_staff: false })
    const promoted = await call(app, 'PATCH', url, root, { is_staff: true })
    expect(promoted.json()).toMatchObject({
      is_staff: true,
      groups: [],
      user_permissions: [],
      all_permissions: [],
      mfa: { totp: false, recovery_codes_left: 0 },
    })
  })

  it('deactivation ends the open session: its next request is refused', async () => {
    const { app, editor, plain, stores } = await fixture()
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(200)
    const patch = await call(app, 'PATCH', `/api/admin/users/${plain.id}/`, editor, {
      is_active: false,
    })
    expect(patch.statusCode).toBe(200)
    expect(patch.json().is_active).toBe(false)
    const me = await call(app, 'GET', '/api/me/', plain)
    expect(me.statusCode).toBe(401)
    const refresh = await call(app, 'POST', '/api/token/refresh/', undefined, {
      refresh: plain.refresh,
    })
    expect(refresh.statusCode).toBe(401)
    const types = (await stores.audit.listEvents({ limit: 5, userId: plain.id })).map((e) => e.type)
    expect(types.slice(0, 3)).toEqual(['user_deactivated', 'logout_all', 'user_updated'])
    const reactivated = await call(app, 'PATCH', `/api/admin/users/${plain.id}/`, editor, {
      is_active: true,
    })
    expect(reactivated.statusCode).toBe(200)
    // The old tokens stay cut off; a new login works.
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(401)
    const login = await call(app, 'POST', '/api/token/', undefined, {
      username: 'plain',
      password: 'correct horse battery',
    })
    expect(login.statusCode).toBe(200)
  })

  it('set_password validates, ends the sessions, and the new password logs in', async () => {
    const { app, editor, plain, stores } = await fixture()
    const url = `/api/admin/users/${plain.id}/set_password/`
    const weak = await call(app, 'POST', url, editor, { new_password: 'plain' })
    expect(weak.statusCode).toBe(400)
    expect(Object.keys(weak.json())).toEqual(['new_password'])
    expect((await call(app, 'POST', url, editor, {})).statusCode).toBe(400)
    const set = await call(app, 'POST', url, editor, { new_password: 'a brand new phrase' })
    expect(set.statusCode).toBe(204)
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(401)
    const login = await call(app, 'POST', '/api/token/', undefined, {
      username: 'plain',
      password: 'a brand new phrase',
    })
    expect(login.statusCode).toBe(200)
    const events = await stores.audit.listEvents({ limit: 3, userId: plain.id })
    expect(events.map((event) => event.type)).toContain('admin_password_set')
    expect(JSON.stringify(events)).not.toContain('a brand new phrase')
  })

  it('deletes a user but never yourself; unknown ids are 404', async () => {
    const { app, editor, plain, stores } = await fixture()
    const self = await call(app, 'DELETE', `/api/admin/users/${editor.id}/`, editor)
    expect(self.statusCode).toBe(400)
    expect(self.json()).toEqual({ non_field_errors: ['You cannot delete your own account here.'] })
    expect((await call(app, 'DELETE', `/api/admin/users/${plain.id}/`, editor)).statusCode).toBe(
      204,
    )
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(401)
    expect(await stores.users.findUserById(plain.id)).toBeUndefined()
    for (const id of [plain.id, '999', 'abc', '01', '1e3', '%00']) {
      for (const [method, suffix] of [
        ['GET', ''],
        ['PATCH', ''],
        ['DELETE', ''],
        ['POST', 'set_password/'],
        ['POST', 'mfa/reset/'],
        ['GET', 'sessions/'],
        ['POST', 'logout_all/'],
        ['GET', 'devices/'],
      ] as const) {
        const response = await call(app, method, `/api/admin/users/${id}/${suffix}`, editor, {
          new_password: 'a brand new phrase',
        })
        expect(response.statusCode, `${method} ${id} ${suffix}`).toBe(404)
        expect(response.json()).toEqual({ detail: 'Not found.' })
      }
    }
  })

  it("lists and revokes a user's sessions; logout_all ends them all", async () => {
    const { app, editor, plain } = await fixture()
    const sessions = await call(app, 'GET', `/api/admin/users/${plain.id}/sessions/`, editor)
    expect(sessions.statusCode).toBe(200)
    const [session] = sessions.json() as { id: string }[]
    expect(session).toMatchObject({ id: expect.any(String), ip: '127.0.0.1' })
    const other = await call(
      app,
      'DELETE',
      `/api/admin/users/${editor.id}/sessions/${session?.id}/`,
      editor,
    )
    expect(other.statusCode).toBe(404)
    const revoked = await call(
      app,
      'DELETE',
      `/api/admin/users/${plain.id}/sessions/${session?.id}/`,
      editor,
    )
    expect(revoked.statusCode).toBe(204)
    expect((await call(app, 'GET', '/api/me/', plain)).statusCode).toBe(401)
    expect(
      (await call(app, 'DELETE', `/api/admin/users/${plain.id}/sessions/${session?.id}/`, editor))
        .statusCode,
    ).toBe(404)
    const all = await call(app, 'POST', `/api/admin/users/${editor.id}/logout_all/`, editor)
    expect(all.statusCode).toBe(204)
    expect((await call(app, 'GET', '/api/admin/users/', editor)).statusCode).toBe(401)
  })

  it('puts users in groups and grants permissions, idempotently; unknown ones are 404', async () => {
    const { app, root, plain, stores } = await fixture()
    const group = await stores.permissions.createGroup('editors')
    await stores.permissions.ensurePermission('blog', 'add_post', 'Can add post')
    const user = `/api/admin/users/${plain.id}`
    for (let twice = 0; twice < 2; twice += 1) {
      expect((await call(app, 'PUT', `${user}/groups/${group.id}/`, root)).statusCode).toBe(204)
      expect((await call(app, 'PUT', `${user}/permissions/blog.add_post/`, root)).statusCode).toBe(
        204,
      )
    }
    const detail = (await call(app, 'GET', `${user}/`, root)).json()
    expect(detail.groups).toEqual([{ id: group.id, name: 'editors' }])
    expect(detail.user_permissions).toEqual(['blog.add_post'])
    const events = await stores.audit.listEvents({ limit: 10, userId: plain.id })
    expect(events.filter((event) => event.type === 'group_member_added')).toHaveLength(1)
    expect(events.find((event) => event.type === 'permission_granted')?.data).toEqual({
      permission: 'blog.add_post',
      user_id: plain.id,
      actor_id: root.id,
    })
    for (const url of [
      `${user}/groups/999/`,
      `${user}/groups/x/`,
      `${user}/permissions/blog.nope/`,
      `${user}/permissions/nodot/`,
      `${user}/permissions/.x/`,
      '/api/admin/users/999/groups/1/',
    ]) {
      expect((await call(app, 'PUT', url, root)).statusCode, url).toBe(404)
    }
    expect((await call(app, 'DELETE', `${user}/groups/${group.id}/`, root)).statusCode).toBe(204)
    expect((await call(app, 'DELETE', `${user}/permissions/blog.add_post/`, root)).statusCode).toBe(
      204,
    )
    const after = (await call(app, 'GET', `${user}/`, root)).json()
    expect(after).toMatchObject({ groups: [], user_permissions: [], all_permissions: [] })
  })
})
