import type { Stores } from '@tessera/core'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { advanceClock, bearer, freezeClock, get, postJson, send } from './contract-helpers.js'
import { buildDjoserApp, lastLink } from './djoser-fixture.js'

const PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'another staple 2026'

let app: FastifyInstance
let stores: Stores
let backgroundIdle: () => Promise<void>

async function build(mail: Parameters<typeof buildDjoserApp>[0] = {}, plugin = {}) {
  const built = await buildDjoserApp(mail, plugin)
  app = built.app
  stores = built.stores
  backgroundIdle = () => built.auth.backgroundIdle()
}

async function createPeter(extra: Record<string, unknown> = {}) {
  return postJson(app, '/auth/users/', {
    username: 'peter',
    email: 'peter@example.com',
    password: PASSWORD,
    ...extra,
  })
}

const jwtCreate = (password = PASSWORD) =>
  postJson(app, '/auth/jwt/create/', { username: 'peter', password })

beforeEach(() => freezeClock())
afterEach(() => vi.useRealTimers())

describe('djoser: users/ and jwt/', () => {
  beforeEach(() => build())

  test('create answers 201 {email, username, id}; jwt/create is /api/token/ under another path', async () => {
    const created = await createPeter({ first_name: 'ignored' })
    expect(created.statusCode).toBe(201)
    expect(created.json()).toEqual({ email: 'peter@example.com', username: 'peter', id: 1 })
    const pair = await jwtCreate()
    expect(pair.statusCode).toBe(200)
    expect(Object.keys(pair.json())).toEqual(['refresh', 'access'])
    const wrong = await jwtCreate('wrong password!')
    const api = await postJson(app, '/api/token/', { username: 'peter', password: 'nope nope' })
    expect([wrong.statusCode, wrong.body]).toEqual([401, api.body])
    const refreshed = await postJson(app, '/auth/jwt/refresh/', { refresh: pair.json().refresh })
    expect(refreshed.statusCode).toBe(200)
    expect(
      (await postJson(app, '/auth/jwt/verify/', { token: pair.json().access })).json(),
    ).toEqual({})
  })

  test('create refuses a taken username and a weak password with DRF field errors', async () => {
    await createPeter()
    const again = await createPeter({ email: 'other@example.com' })
    expect(again.statusCode).toBe(400)
    expect(again.json()).toEqual({ username: ['A user with that username already exists.'] })
    const weak = await postJson(app, '/auth/users/', { username: 'mary', password: '123' })
    expect(weak.statusCode).toBe(400)
    expect(Object.keys(weak.json())).toEqual(['password'])
  })

  test('users/me: GET, PATCH email, DELETE with current_password', async () => {
    await createPeter()
    const { access } = (await jwtCreate()).json()
    const me = await get(app, '/auth/users/me/', access)
    expect(me.json()).toEqual({ email: 'peter@example.com', id: 1, username: 'peter' })
    const patched = await send(app, {
      method: 'PATCH',
      url: '/auth/users/me/',
      payload: { email: 'p@Example.COM', username: 'ignored' },
      headers: bearer(access),
    })
    expect(patched.json()).toEqual({ email: 'p@example.com', id: 1, username: 'peter' })
    const list = await get(app, '/auth/users/', access)
    expect(list.json()).toEqual([{ email: 'p@example.com', id: 1, username: 'peter' }])
    const wrong = await send(app, {
      method: 'DELETE',
      url: '/auth/users/me/',
      payload: { current_password: 'not it at all' },
      headers: bearer(access),
    })
    expect([wrong.statusCode, wrong.json()]).toEqual([
      400,
      { current_password: ['Invalid password.'] },
    ])
    const gone = await send(app, {
      method: 'DELETE',
      url: '/auth/users/me/',
      payload: { current_password: PASSWORD },
      headers: bearer(access),
    })
    expect([gone.statusCode, gone.body]).toEqual([204, ''])
    expect((await jwtCreate()).statusCode).toBe(401)
  })

  test('set_password: djoser errors, then 204; every session ends', async () => {
    await createPeter()
    const { access, refresh } = (await jwtCreate()).json()
    const missing = await postJson(app, '/auth/users/set_password/', {}, bearer(access))
    expect(missing.json()).toEqual({
      new_password: ['This field is required.'],
      current_password: ['This field is required.'],
    })
    const wrong = await postJson(
      app,
      '/auth/users/set_password/',
      { current_password: 'nope nope nope', new_password: NEW_PASSWORD },
      bearer(access),
    )
    expect(wrong.json()).toEqual({ current_password: ['Invalid password.'] })
    const done = await postJson(
      app,
      '/auth/users/set_password/',
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      bearer(access),
    )
    expect([done.statusCode, done.body]).toEqual([204, ''])
    expect((await postJson(app, '/auth/jwt/refresh/', { refresh })).statusCode).toBe(401)
    expect((await jwtCreate(NEW_PASSWORD)).statusCode).toBe(200)
  })

  test('set_username: 204, the new name logs in; a taken one is refused', async () => {
    await createPeter()
    await postJson(app, '/auth/users/', { username: 'mary', password: PASSWORD })
    const { access } = (await jwtCreate()).json()
    const taken = await postJson(
      app,
      '/auth/users/set_username/',
      { current_password: PASSWORD, new_username: 'MARY' },
      bearer(access),
    )
    expect(taken.json()).toEqual({ new_username: ['A user with that username already exists.'] })
    const done = await postJson(
      app,
      '/auth/users/set_username/',
      { current_password: PASSWORD, new_username: 'spidey' },
      bearer(access),
    )
    expect(done.statusCode).toBe(204)
    const login = await postJson(app, '/auth/jwt/create/', {
      username: 'spidey',
      password: PASSWORD,
    })
    expect(login.statusCode).toBe(200)
  })

  test('resend_activation is a bare 400 while activation is off, as djoser', async () => {
    const response = await postJson(app, '/auth/users/resend_activation/', {
      email: 'peter@example.com',
    })
    expect([response.statusCode, response.body]).toEqual([400, ''])
  })
})

describe('djoser: activation', () => {
  beforeEach(() => build({ sendActivationEmail: true, sendConfirmationEmail: true }))

  test('a new account is inactive until its link is opened; the link works once', async () => {
    expect((await createPeter()).statusCode).toBe(201)
    expect((await jwtCreate()).statusCode).toBe(401)
    const link = await lastLink(stores)
    expect(link).toMatchObject({
      kind: 'activation',
      to: 'peter@example.com',
      subject: 'Account activation on Example',
      uid: 'MQ',
    })
    const bad = await postJson(app, '/auth/users/activation/', { uid: 'MQ', token: 'x-1' })
    expect(bad.json()).toEqual({ token: ['Invalid token for given user.'] })
    const noUser = await postJson(app, '/auth/users/activation/', { uid: 'OTk', token: link.token })
    expect(noUser.json()).toEqual({ uid: ["Invalid user id or user doesn't exist."] })
    const ok = await postJson(app, '/auth/users/activation/', { uid: link.uid, token: link.token })
    expect([ok.statusCode, ok.body]).toEqual([204, ''])
    expect((await lastLink(stores).catch(() => undefined))?.kind).not.toBe('activation')
    expect((await stores.mail.list({ limit: 1 }))[0]?.kind).toBe('confirmation')
    const again = await postJson(app, '/auth/users/activation/', {
      uid: link.uid,
      token: link.token,
    })
    expect([again.statusCode, again.json()]).toEqual([
      403,
      { detail: 'Stale token for given user.' },
    ])
    expect((await jwtCreate()).statusCode).toBe(200)
  })

  test('resend_activation mails inactive accounts only, answering 204 for any address', async () => {
    await createPeter()
    const before = (await stores.mail.list({ limit: 10 })).length
    for (const email of ['peter@example.com', 'nobody@example.com']) {
      const response = await postJson(app, '/auth/users/resend_activation/', { email })
      expect([response.statusCode, response.body]).toEqual([204, ''])
    }
    await backgroundIdle()
    expect((await stores.mail.list({ limit: 10 })).length).toBe(before + 1)
  })
})

describe('djoser: password reset', () => {
  beforeEach(() => build())

  async function requestReset(email = 'peter@example.com', ip = '203.0.113.1') {
    const response = await app.inject({
      method: 'POST',
      url: '/auth/users/reset_password/',
      payload: { email },
      remoteAddress: ip,
    })
    await backgroundIdle()
    return response
  }

  test('known and unknown addresses get byte-identical answers; only the known one is mailed', async () => {
    await createPeter()
    const known = await requestReset('PETER@example.com', '203.0.113.1')
    const unknown = await requestReset('nobody@example.com', '203.0.113.2')
    const strip = (headers: Record<string, unknown>) => {
      const { date: _d, ...rest } = headers
      return rest
    }
    expect([known.statusCode, known.body, strip(known.headers)]).toEqual([
      unknown.statusCode,
      unknown.body,
      strip(unknown.headers),
    ])
    expect([known.statusCode, known.body]).toEqual([204, ''])
    const messages = await stores.mail.list({ limit: 10 })
    expect(messages.map((m) => [m.kind, m.to])).toEqual([['password_reset', 'peter@example.com']])
  })

  test('the link resets once, ends every session, and dies after the timeout', async () => {
    await createPeter()
    const { refresh, access } = (await jwtCreate()).json()
    await requestReset()
    const link = await lastLink(stores)
    const done = await postJson(app, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: NEW_PASSWORD,
    })
    expect([done.statusCode, done.body]).toEqual([204, ''])
    expect((await postJson(app, '/auth/jwt/refresh/', { refresh })).statusCode).toBe(401)
    // No revocation view in this app: the store's answer (the server's tests ask /me too).
    const verify = await postJson(app, '/auth/jwt/verify/', { token: access })
    expect(verify.json()).toEqual({ non_field_errors: ['Token is blacklisted'] })
    expect((await jwtCreate(NEW_PASSWORD)).statusCode).toBe(200)
    const reuse = await postJson(app, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: 'yet another one 99',
    })
    expect(reuse.json()).toEqual({ token: ['Invalid token for given user.'] })

    await requestReset()
    const late = await lastLink(stores)
    advanceClock(3 * 24 * 3600 + 1)
    const expired = await postJson(app, '/auth/users/reset_password_confirm/', {
      ...late,
      new_password: 'yet another one 99',
    })
    expect(expired.json()).toEqual({ token: ['Invalid token for given user.'] })
  })

  test('a link issued before a password change fails', async () => {
    await createPeter()
    await requestReset()
    const link = await lastLink(stores)
    const { access } = (await jwtCreate()).json()
    await postJson(
      app,
      '/auth/users/set_password/',
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      bearer(access),
    )
    const stale = await postJson(app, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: 'yet another one 99',
    })
    expect(stale.json()).toEqual({ token: ['Invalid token for given user.'] })
  })

  test("djoser's field errors, in its order", async () => {
    const cases: [Record<string, unknown>, unknown][] = [
      [{}, { email: ['This field is required.'] }],
      [{ email: '' }, { email: ['This field may not be blank.'] }],
      [{ email: 'nope' }, { email: ['Enter a valid email address.'] }],
      [{ email: 5 }, { email: ['Not a valid string.'] }],
    ]
    for (const [body, expected] of cases) {
      const response = await postJson(app, '/auth/users/reset_password/', body)
      expect([response.statusCode, response.json()]).toEqual([400, expected])
    }
    const confirm = await postJson(app, '/auth/users/reset_password_confirm/', {})
    expect(confirm.json()).toEqual({
      uid: ['This field is required.'],
      token: ['This field is required.'],
      new_password: ['This field is required.'],
    })
    const weak = await postJson(app, '/auth/users/reset_password_confirm/', {
      uid: 'MQ',
      token: 'x',
      new_password: '1234',
    })
    expect(Object.keys(weak.json())).toEqual(['new_password'])
    const uid = await postJson(app, '/auth/users/reset_password_confirm/', {
      uid: 'MQ',
      token: 'x',
      new_password: NEW_PASSWORD,
    })
    expect(uid.json()).toEqual({ uid: ["Invalid user id or user doesn't exist."] })
  })

  test('throttled per address across IPs and per IP across addresses, before any lookup', async () => {
    await createPeter()
    for (let index = 0; index < 3; index += 1) {
      expect((await requestReset('peter@example.com', `198.51.100.${index}`)).statusCode).toBe(204)
    }
    const fourth = await requestReset('Peter@Example.com', '198.51.100.9')
    expect(fourth.statusCode).toBe(429)
    expect(fourth.headers['retry-after']).toBeDefined()
    for (let index = 0; index < 10; index += 1) {
      await requestReset(`user${index}@example.com`, '192.0.2.1')
    }
    expect((await requestReset('someone@example.com', '192.0.2.1')).statusCode).toBe(429)
    expect((await stores.mail.list({ limit: 100 })).length).toBe(3)
  })

  test('PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND answers djoser 400 list', async () => {
    await build({ passwordResetShowEmailNotFound: true })
    const response = await requestReset('nobody@example.com')
    expect([response.statusCode, response.json()]).toEqual([
      400,
      ['User with given email does not exist.'],
    ])
  })
})

describe('username reset and email change', () => {
  test('reset_username mails a link that sets a new username once', async () => {
    await build()
    await createPeter()
    await postJson(app, '/auth/users/reset_username/', { email: 'peter@example.com' })
    await backgroundIdle()
    const link = await lastLink(stores)
    expect(link.kind).toBe('username_reset')
    const done = await postJson(app, '/auth/users/reset_username_confirm/', {
      ...link,
      new_username: 'spidey',
    })
    expect(done.statusCode).toBe(204)
    const again = await postJson(app, '/auth/users/reset_username_confirm/', {
      ...link,
      new_username: 'venom',
    })
    expect(again.json()).toEqual({ token: ['Invalid token for given user.'] })
  })

  test('EMAIL_CHANGE_CONFIRMATION: the address changes once confirmed; the old one is told', async () => {
    await build({ emailChangeConfirmation: true })
    await createPeter()
    const { access } = (await jwtCreate()).json()
    const patched = await send(app, {
      method: 'PATCH',
      url: '/api/me/',
      payload: { email: 'new@example.com' },
      headers: bearer(access),
    })
    expect(patched.json().email).toBe('peter@example.com')
    const messages = await stores.mail.list({ limit: 10 })
    expect(messages.map((m) => [m.kind, m.to])).toEqual([
      ['email_changed_notice', 'peter@example.com'],
      ['email_change_confirmation', 'new@example.com'],
    ])
    const confirmation = messages[1]?.text ?? ''
    const [, uid, token] = /\/([A-Za-z0-9_-]+)\/([A-Za-z0-9_.-]+)\s/.exec(confirmation) ?? []
    const forged = await postJson(app, '/auth/users/email_change_confirm/', {
      uid,
      token: `${Buffer.from('evil@example.com').toString('base64url')}.${token?.split('.')[1]}`,
    })
    expect(forged.json()).toEqual({ token: ['Invalid token for given user.'] })
    const done = await postJson(app, '/auth/users/email_change_confirm/', { uid, token })
    expect(done.statusCode).toBe(204)
    const me = await get(app, '/auth/users/me/', access)
    expect(me.json().email).toBe('new@example.com')
    const again = await postJson(app, '/auth/users/email_change_confirm/', { uid, token })
    expect(again.json()).toEqual({ token: ['Invalid token for given user.'] })
  })
})

describe('djoser: links cannot be misused', () => {
  beforeEach(() => build())

  test("a user's token with another user's uid is refused, and so is a tampered token", async () => {
    await createPeter()
    await postJson(app, '/auth/users/', {
      username: 'mary',
      email: 'mary@example.com',
      password: PASSWORD,
    })
    await postJson(app, '/auth/users/reset_password/', { email: 'peter@example.com' })
    await backgroundIdle()
    const peter = await lastLink(stores)
    const asMary = await postJson(app, '/auth/users/reset_password_confirm/', {
      uid: 'Mg',
      token: peter.token,
      new_password: NEW_PASSWORD,
    })
    expect(asMary.json()).toEqual({ token: ['Invalid token for given user.'] })
    const [stamp, hash] = peter.token.split('-') as [string, string]
    const flipped = `${stamp}-${hash.slice(0, -1)}${hash.endsWith('0') ? '1' : '0'}`
    for (const token of [flipped, `${(Number.parseInt(stamp, 36) + 1).toString(36)}-${hash}`]) {
      const response = await postJson(app, '/auth/users/reset_password_confirm/', {
        uid: peter.uid,
        token,
        new_password: NEW_PASSWORD,
      })
      expect(response.json()).toEqual({ token: ['Invalid token for given user.'] })
    }
    // An activation link of the same user is no reset link.
    const activation = await postJson(app, '/auth/users/activation/', peter)
    expect(activation.json()).toEqual({ token: ['Invalid token for given user.'] })
  })
})

describe('djoser: settings', () => {
  test('the RETYPE settings ask for the second field and compare them', async () => {
    await build(
      {},
      { djoser: { userCreatePasswordRetype: true, passwordResetConfirmRetype: true } },
    )
    const missing = await createPeter()
    expect(missing.json()).toEqual({ re_password: ['This field is required.'] })
    const mismatch = await createPeter({ re_password: 'something else entirely' })
    expect(mismatch.json()).toEqual({ non_field_errors: ["The two password fields didn't match."] })
    expect((await createPeter({ re_password: PASSWORD })).statusCode).toBe(201)
    await postJson(app, '/auth/users/reset_password/', { email: 'peter@example.com' })
    await backgroundIdle()
    const link = await lastLink(stores)
    const differs = await postJson(app, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: NEW_PASSWORD,
      re_new_password: `${NEW_PASSWORD}!`,
    })
    expect(differs.json()).toEqual({ non_field_errors: ["The two password fields didn't match."] })
  })

  test('SEND_ACTIVATION_EMAIL: a new address on users/me/ deactivates until activated', async () => {
    await build({ sendActivationEmail: true })
    await createPeter()
    const first = await lastLink(stores)
    await postJson(app, '/auth/users/activation/', first)
    const { access } = (await jwtCreate()).json()
    const patched = await send(app, {
      method: 'PATCH',
      url: '/auth/users/me/',
      payload: { email: 'new@example.com' },
      headers: bearer(access),
    })
    expect(patched.json()).toEqual({ email: 'new@example.com', id: 1, username: 'peter' })
    expect((await jwtCreate()).statusCode).toBe(401)
    const again = await lastLink(stores)
    expect([again.kind, again.to]).toEqual(['activation', 'new@example.com'])
    expect((await postJson(app, '/auth/users/activation/', again)).statusCode).toBe(204)
    expect((await jwtCreate()).statusCode).toBe(200)
  })
})

describe('djoser: a link works once, even used 20 times at once', () => {
  test('reset_password_confirm: exactly one 204, the others the token error', async () => {
    await build()
    await createPeter()
    await postJson(app, '/auth/users/reset_password/', { email: 'peter@example.com' })
    await backgroundIdle()
    const link = await lastLink(stores)
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        app.inject({
          method: 'POST',
          url: '/auth/users/reset_password_confirm/',
          payload: { ...link, new_password: `${NEW_PASSWORD} ${index}` },
        }),
      ),
    )
    const ok = responses.filter((response) => response.statusCode === 204)
    expect(ok).toHaveLength(1)
    for (const response of responses.filter((r) => r.statusCode !== 204)) {
      expect([response.statusCode, response.json()]).toEqual([
        400,
        { token: ['Invalid token for given user.'] },
      ])
    }
    const winner = responses.indexOf(ok[0] as (typeof responses)[number])
    expect((await jwtCreate(`${NEW_PASSWORD} ${winner}`)).statusCode).toBe(200)
  })

  test('activation: exactly one 204, the others stale (403)', async () => {
    await build({ sendActivationEmail: true })
    await createPeter()
    const link = await lastLink(stores)
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        app.inject({ method: 'POST', url: '/auth/users/activation/', payload: link }),
      ),
    )
    const statuses = responses.map((response) => response.statusCode)
    expect(statuses.filter((status) => status === 204)).toHaveLength(1)
    expect(statuses.filter((status) => status === 403)).toHaveLength(19)
  })
})

describe('djoser: no enumeration through the mail requests', () => {
  test('every kind of address gets the same answer from each of the three endpoints', async () => {
    await build({ sendActivationEmail: true })
    await createPeter()
    await postJson(app, '/auth/users/activation/', await lastLink(stores))
    await postJson(app, '/auth/users/', {
      username: 'inactive',
      email: 'inactive@example.com',
      password: PASSWORD,
    })
    const unusable = await postJson(app, '/auth/users/', {
      username: 'unusable',
      email: 'unusable@example.com',
      password: PASSWORD,
    })
    await stores.users.updateUser(String(unusable.json().id), { password: '!unusable' })
    const addresses = [
      'peter@example.com',
      'inactive@example.com',
      'unusable@example.com',
      'nobody@example.com',
    ]
    for (const path of ['reset_password', 'reset_username', 'resend_activation']) {
      const answers = []
      for (const [index, email] of addresses.entries()) {
        const response = await app.inject({
          method: 'POST',
          url: `/auth/users/${path}/`,
          payload: { email },
          remoteAddress: `203.0.113.${index + 10}`,
        })
        const { date: _date, ...headers } = response.headers
        answers.push(JSON.stringify([response.statusCode, response.body, headers]))
      }
      expect(new Set(answers).size, path).toBe(1)
      expect(JSON.parse(answers[0] as string).slice(0, 2)).toEqual([204, ''])
    }
    await backgroundIdle()
    const kinds = (await stores.mail.list({ limit: 20 })).map((m) => `${m.kind} ${m.to}`)
    // Mail only where djoser would send it: the active account's resets, the inactive one's
    // activation (twice: at registration and resent).
    expect(kinds.sort()).toEqual(
      [
        'activation inactive@example.com',
        'activation inactive@example.com',
        'activation peter@example.com',
        'activation unusable@example.com',
        'password_reset peter@example.com',
        'username_reset peter@example.com',
      ].sort(),
    )
  })
})
