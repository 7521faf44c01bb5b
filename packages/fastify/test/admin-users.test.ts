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
