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

const T0 = 1_800_000_000

describe('admin audit log', () => {
  it('filters by user, types and time, newest first, paged', async () => {
    const { app, viewer, stores } = await fixture()
    for (let index = 0; index < 5; index += 1) {
      await stores.audit.record({
        type: index % 2 === 0 ? 'login_failed' : 'logout',
        at: T0 + index * 60,
        userId: '42',
        ip: '203.0.113.9',
        data: { index },
      })
    }
    const all = await call(app, 'GET', '/api/admin/audit/?user=42&page_size=2', viewer)
    expect(all.statusCode).toBe(200)
    const body = all.json()
    expect(body.count).toBe(5)
    expect(body.results[0]).toEqual({
      id: expect.any(String),
      type: 'login_failed',
      at: new Date((T0 + 240) * 1000).toISOString(),
      user_id: '42',
      ip: '203.0.113.9',
      data: { index: 4 },
    })
    expect(body.next).toContain('page=2')
    const logouts = await call(app, 'GET', '/api/admin/audit/?user=42&type=logout', viewer)
    expect(
      logouts.json().results.map((event: { data: { index: number } }) => event.data.index),
    ).toEqual([3, 1])
    const both = await call(
      app,
      'GET',
      '/api/admin/audit/?user=42&type=logout,login_failed',
      viewer,
    )
    expect(both.json().count).toBe(5)
    const since = new Date((T0 + 60) * 1000).toISOString()
    const window = await call(
      app,
      'GET',
      `/api/admin/audit/?user=42&since=${since}&until=${T0 + 180}`,
      viewer,
    )
    expect(
      window.json().results.map((event: { data: { index: number } }) => event.data.index),
    ).toEqual([2, 1])
    for (const bad of ['since=yesterday', 'until=2026-13-45', 'since=1e400']) {
      const response = await call(app, 'GET', `/api/admin/audit/?${bad}`, viewer)
      expect(response.statusCode, bad).toBe(400)
    }
    expect((await call(app, 'GET', '/api/admin/audit/?page=9', viewer)).json()).toEqual({
      detail: 'Invalid page.',
    })
  })
})

describe('admin mail outbox', () => {
  it('lists without bodies, filters by status, retries a failed message', async () => {
    const { app, viewer, root, stores } = await fixture()
    const message = await stores.mail.enqueue({
      kind: 'password_reset',
      from: 'noreply@example.com',
      to: 'plain@example.com',
      subject: 'Reset',
      text: 'https://example.com/reset/secret-token',
      html: '<a href="https://example.com/reset/secret-token">reset</a>',
      createdAt: T0,
      userId: null,
    })
    await stores.mail.claimDue(T0, 1, 60)
    await stores.mail.markFailed(message.id, { at: T0, error: '550 no such user', retryAt: null })
    const list = await call(app, 'GET', '/api/admin/mail/?status=failed', viewer)
    expect(list.statusCode).toBe(200)
    expect(list.body).not.toContain('secret-token')
    expect(list.json().results).toEqual([
      {
        id: message.id,
        kind: 'password_reset',
        to: 'plain@example.com',
        subject: 'Reset',
        status: 'failed',
        attempts: 1,
        last_error: '550 no such user',
        created_at: new Date(T0 * 1000).toISOString(),
        sent_at: null,
      },
    ])
    expect((await call(app, 'GET', '/api/admin/mail/?status=lost', viewer)).statusCode).toBe(400)
    const retried = await call(app, 'POST', `/api/admin/mail/${message.id}/retry/`, root)
    expect(retried.statusCode).toBe(200)
    expect(retried.json()).toMatchObject({ id: message.id, status: 'pending' })
    expect(retried.body).not.toContain('secret-token')
    await stores.mail.claimDue(Date.now() / 1000 + 5, 1, 60)
    await stores.mail.markSent(message.id, T0 + 1)
    const sent = await call(app, 'POST', `/api/admin/mail/${message.id}/retry/`, root)
    expect(sent.statusCode).toBe(400)
    expect((await call(app, 'POST', '/api/admin/mail/999/retry/', root)).statusCode).toBe(404)
    expect((await call(app, 'POST', '/api/admin/mail/x/retry/', root)).statusCode).toBe(404)
    const { items } = await stores.audit.queryEvents({
      types: ['mail_retried'],
      offset: 0,
      limit: 5,
    })
    expect(items).toHaveLength(1)
    expect(items[0]?.data).toEqual({ message_id: message.id, actor_id: root.id })
  })
})

describe('admin signing keys', () => {
  it('lists without key material, rotates and retires, and says that the ring changed', async () => {
    const { app, viewer, root, keyChanges } = await fixture()
    const listed = await call(app, 'GET', '/api/admin/keys/', viewer)
    expect(listed.statusCode).toBe(200)
    expect(listed.body).not.toMatch(/PRIVATE|"d"|"x"|"n"/)
    const [first] = listed.json()
    expect(first).toMatchObject({ alg: 'ES256', state: 'current', retired_at: null })
    const rotated = await call(app, 'POST', '/api/admin/keys/rotate/', root)
    expect(rotated.statusCode).toBe(201)
    expect(rotated.json()).toMatchObject({ state: 'current', alg: 'ES256' })
    expect(keyChanges()).toBe(1)
    expect(
      (await call(app, 'POST', '/api/admin/keys/rotate/', root, { alg: 'HS256' })).statusCode,
    ).toBe(400)
    const states = (await call(app, 'GET', '/api/admin/keys/', viewer))
      .json()
      .map((key: { state: string }) => key.state)
    expect(states.sort()).toEqual(['current', 'next', 'retired'])
    const again = await call(app, 'POST', `/api/admin/keys/${first.kid}/retire/`, root)
    expect(again.statusCode).toBe(400)
    expect((await call(app, 'POST', '/api/admin/keys/nope/retire/', root)).statusCode).toBe(404)
    const next = (await call(app, 'GET', '/api/admin/keys/', viewer))
      .json()
      .find((key: { state: string }) => key.state === 'next')
    const retired = await call(app, 'POST', `/api/admin/keys/${next.kid}/retire/`, root)
    expect(retired.statusCode).toBe(200)
    expect(retired.json()).toMatchObject({ kid: next.kid, state: 'retired' })
    expect(keyChanges()).toBe(2)
  })
})
