import { totpCode } from '@tessera/core/mfa'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SoftwareAuthenticator } from '../../core/test/passkeys/software-authenticator.js'
import { CookieJar } from './browser/cookie-jar.js'
import { buildPasskeyApp, RP } from './passkey-app.js'

const PASSWORD = 'correct horse battery'
const post = (app: FastifyInstance, url: string, payload: object, access?: string) =>
  app.inject({
    method: 'POST',
    url,
    payload,
    ...(access === undefined ? {} : { headers: { authorization: `Bearer ${access}` } }),
  })

describe('passkey routes', () => {
  let subject: Awaited<ReturnType<typeof buildPasskeyApp>>
  let app: FastifyInstance
  let authenticator: SoftwareAuthenticator

  beforeEach(async () => {
    subject = await buildPasskeyApp()
    app = subject.app
    authenticator = new SoftwareAuthenticator(RP)
  })
  afterEach(async () => app.close())

  async function signUp(username: string): Promise<string> {
    expect((await post(app, '/api/register/', { username, password: PASSWORD })).statusCode).toBe(
      201,
    )
    const login = await post(app, '/api/token/', { username, password: PASSWORD })
    expect(login.statusCode).toBe(200)
    return login.json().access
  }

  async function addPasskey(access: string, who = authenticator, name = 'Laptop') {
    const options = await post(app, '/api/passkeys/register/options/', {}, access)
    expect(options.statusCode).toBe(200)
    const response = who.register(options.json())
    return post(app, '/api/passkeys/register/verify/', { response, name }, access)
  }

  async function passkeyLogin(body: object = {}, who = authenticator) {
    const options = await post(app, '/api/passkeys/login/options/', body)
    expect(options.statusCode).toBe(200)
    return post(app, '/api/passkeys/login/verify/', { response: who.assert(options.json()) })
  }

  it('registers a passkey for the signed-in user and lists it without its key', async () => {
    const access = await signUp('alice')
    const options = (await post(app, '/api/passkeys/register/options/', {}, access)).json()
    expect(options).toMatchObject({
      rp: { id: 'localhost', name: 'Tessera tests' },
      user: { name: 'alice' },
      authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
      attestation: 'none',
      excludeCredentials: [],
    })
    const created = await post(
      app,
      '/api/passkeys/register/verify/',
      { response: authenticator.register(options), name: 'Laptop' },
      access,
    )
    expect(created.statusCode).toBe(201)
    expect(created.json()).toEqual({
      id: expect.any(String),
      name: 'Laptop',
      created_at: expect.any(String),
      last_used_at: null,
      transports: ['internal'],
      device_type: 'multiDevice',
      backed_up: true,
      possibly_cloned: false,
    })
    const list = await app.inject({
      method: 'GET',
      url: '/api/passkeys/',
      headers: { authorization: `Bearer ${access}` },
    })
    expect(list.json()).toEqual([created.json()])
    // The next registration excludes it.
    const again = (await post(app, '/api/passkeys/register/options/', {}, access)).json()
    expect(again.excludeCredentials).toEqual([
      { id: created.json().id, type: 'public-key', transports: ['internal'] },
    ])
  })

  it('refuses the ceremonies to anonymous callers, and a bad answer with 400, never a 500', async () => {
    expect((await post(app, '/api/passkeys/register/options/', {})).statusCode).toBe(401)
    const access = await signUp('alice')
    const junk = await post(
      app,
      '/api/passkeys/register/verify/',
      {
        response: {
          id: 'abc',
          rawId: 'abc',
          type: 'public-key',
          response: { clientDataJSON: 'x' },
        },
      },
      access,
    )
    expect(junk.statusCode).toBe(400)
    expect(junk.json()).toEqual({ response: ['The passkey could not be verified.'] })
    const verifyJunk = await post(app, '/api/passkeys/login/verify/', {
      response: { id: 'abc', rawId: 'abc', type: 'public-key', response: {} },
    })
    expect(verifyJunk.statusCode).toBe(401)
    expect(verifyJunk.json()).toEqual({
      detail: 'Passkey authentication failed.',
      code: 'passkey_invalid',
    })
    const shapeless = await post(app, '/api/passkeys/login/verify/', { response: 'nope' })
    expect(shapeless.statusCode).toBe(400)
  })

  it('logs in without a password, usernameless and with an allow-list, answering the login pair', async () => {
    const access = await signUp('alice')
    expect((await addPasskey(access)).statusCode).toBe(201)
    const usernameless = await passkeyLogin()
    expect(usernameless.statusCode).toBe(200)
    expect(Object.keys(usernameless.json()).sort()).toEqual(['access', 'refresh'])
    const options = (await post(app, '/api/passkeys/login/options/', { username: 'alice' })).json()
    expect(options.allowCredentials).toHaveLength(1)
    // An unknown name: the same shape as a user without passkeys.
    const unknown = (await post(app, '/api/passkeys/login/options/', { username: 'nobody' })).json()
    expect(unknown.allowCredentials ?? []).toEqual([])
    const allowed = await post(app, '/api/passkeys/login/verify/', {
      response: authenticator.assert(options),
    })
    expect(allowed.statusCode).toBe(200)
    const me = await app.inject({
      method: 'GET',
      url: '/api/me/',
      headers: { authorization: `Bearer ${allowed.json().access}` },
    })
    expect(me.json()).toMatchObject({ username: 'alice' })
  })

  it('makes the passkey a second factor: mfa_required lists totp and passkey; the step takes an assertion', async () => {
    const access = await signUp('alice')
    const setup = await post(app, '/api/mfa/totp/setup/', { password: PASSWORD }, access)
    const secret = setup.json().secret as string
    await post(app, '/api/mfa/totp/confirm/', { code: totpCode(secret, 1_800_000_015) }, access)
    expect((await addPasskey(access)).statusCode).toBe(201)
    const step = await post(app, '/api/token/', { username: 'alice', password: PASSWORD })
    expect(step.statusCode).toBe(401)
    expect(step.json()).toMatchObject({ code: 'mfa_required', methods: ['totp', 'passkey'] })
    const mfaToken = step.json().mfa_token as string
    const options = (
      await post(app, '/api/passkeys/login/options/', { mfa_token: mfaToken })
    ).json()
    expect(options.allowCredentials).toHaveLength(1)
    // A passwordless-login challenge is not a second-step one.
    const loginOptions = (await post(app, '/api/passkeys/login/options/', {})).json()
    const wrongPurpose = await post(app, '/api/token/mfa/', {
      mfa_token: mfaToken,
      passkey: authenticator.assert(loginOptions),
    })
    expect(wrongPurpose.json()).toMatchObject({ code: 'mfa_code_invalid' })
    const done = await post(app, '/api/token/mfa/', {
      mfa_token: mfaToken,
      passkey: authenticator.assert(options),
    })
    expect(done.statusCode).toBe(200)
    expect(done.json()).toHaveProperty('access')
    const both = await post(app, '/api/token/mfa/', {
      mfa_token: mfaToken,
      code: '123456',
      passkey: authenticator.assert(options),
    })
    expect(both.statusCode).toBe(400)
  })

  it('renames and deletes only one’s own passkeys; a deleted passkey no longer logs in', async () => {
    const alice = await signUp('alice')
    const bob = await signUp('bob')
    const id = (await addPasskey(alice)).json().id as string
    const renameOther = await app.inject({
      method: 'PATCH',
      url: `/api/passkeys/${id}/`,
      payload: { name: 'Mine' },
      headers: { authorization: `Bearer ${bob}` },
    })
    expect(renameOther.statusCode).toBe(404)
    const renamed = await app.inject({
      method: 'PATCH',
      url: `/api/passkeys/${id}/`,
      payload: { name: 'Work laptop' },
      headers: { authorization: `Bearer ${alice}` },
    })
    expect(renamed.json()).toMatchObject({ id, name: 'Work laptop' })
    const del = (token: string) =>
      app.inject({
        method: 'DELETE',
        url: `/api/passkeys/${id}/`,
        headers: { authorization: `Bearer ${token}` },
      })
    expect((await del(bob)).statusCode).toBe(404)
    expect((await del(alice)).statusCode).toBe(204)
    const refused = await passkeyLogin()
    expect(refused.statusCode).toBe(401)
    expect(refused.json()).toMatchObject({ code: 'passkey_invalid' })
    // Without passkeys, the password alone signs in again.
    expect(
      (await post(app, '/api/token/', { username: 'alice', password: PASSWORD })).statusCode,
    ).toBe(200)
  })

  it('keeps passkeys through a password change; logout everywhere ends their sessions', async () => {
    const access = await signUp('alice')
    await addPasskey(access)
    const changed = await post(
      app,
      '/api/password/change/',
      { old_password: PASSWORD, new_password: 'another horse battery' },
      access,
    )
    expect(changed.statusCode).toBe(200)
    expect(await subject.auth.passkeys?.list('1')).toHaveLength(1)
    const session = (await passkeyLogin()).json()
    subject.advance(1)
    const everywhere = await post(app, '/api/logout/all/', {}, session.access)
    expect([200, 204]).toContain(everywhere.statusCode)
    subject.advance(1)
    const refreshed = await post(app, '/api/token/refresh/', { refresh: session.refresh })
    expect(refreshed.statusCode).toBe(401)
    // The passkey itself stays: a new login works.
    expect((await passkeyLogin()).statusCode).toBe(200)
  })

  it('audits registration, rename, deletion, logins and failures', async () => {
    const access = await signUp('alice')
    const id = (await addPasskey(access)).json().id as string
    await passkeyLogin()
    await post(app, '/api/passkeys/login/verify/', {
      response: { id, rawId: id, type: 'public-key', response: {} },
    })
    await app.inject({
      method: 'DELETE',
      url: `/api/passkeys/${id}/`,
      headers: { authorization: `Bearer ${access}` },
    })
    const types = (await subject.stores.audit.listEvents({ limit: 50 })).map((event) => event.type)
    expect(types).toEqual(
      expect.arrayContaining([
        'passkey_registered',
        'passkey_failed',
        'passkey_deleted',
        'login_succeeded',
      ]),
    )
  })

  it('shows staff a user’s passkeys', async () => {
    const access = await signUp('alice')
    await addPasskey(access)
    await signUp('root')
    await subject.stores.users.updateUser('2', { isStaff: true })
    const staff = (await post(app, '/api/token/', { username: 'root', password: PASSWORD })).json()
      .access
    const seen = await app.inject({
      method: 'GET',
      url: '/api/admin/users/1/passkeys/',
      headers: { authorization: `Bearer ${staff}` },
    })
    expect(seen.statusCode).toBe(200)
    expect(seen.json()).toMatchObject([{ name: 'Laptop', possibly_cloned: false }])
    const detail = await app.inject({
      method: 'GET',
      url: '/api/admin/users/1/',
      headers: { authorization: `Bearer ${staff}` },
    })
    expect(detail.statusCode).toBe(200)
    expect(detail.json().passkeys).toEqual(seen.json())
    const denied = await app.inject({
      method: 'GET',
      url: '/api/admin/users/2/passkeys/',
      headers: { authorization: `Bearer ${access}` },
    })
    expect(denied.statusCode).toBe(403)
  })
})

describe('passkey login in cookie mode', () => {
  const APP_ORIGIN = 'https://app.example.com'

  it('answers like the password login: HttpOnly cookies and the expiry, after the CSRF check', async () => {
    const { app } = await buildPasskeyApp({
      transport: { mode: 'cookie', secure: true, trustedOrigins: [APP_ORIGIN] },
    })
    const authenticator = new SoftwareAuthenticator(RP)
    const jar = new CookieJar()
    let csrf = ''
    const call = async (method: 'GET' | 'POST', url: string, payload?: object, withCsrf = true) => {
      const response = await app.inject({
        method,
        url,
        ...(payload === undefined ? {} : { payload }),
        headers: {
          host: 'api.example.com',
          origin: APP_ORIGIN,
          'sec-fetch-site': 'same-site',
          cookie: jar.header(),
          ...(withCsrf ? { 'x-csrftoken': csrf } : {}),
        },
      })
      jar.take(response)
      return response
    }
    csrf = (await call('GET', '/api/csrf/', undefined, false)).json().csrf_token
    await call('POST', '/api/register/', { username: 'alice', password: PASSWORD })
    expect(
      (await call('POST', '/api/token/', { username: 'alice', password: PASSWORD })).statusCode,
    ).toBe(200)
    const options = (await call('POST', '/api/passkeys/register/options/', {})).json()
    const created = await call('POST', '/api/passkeys/register/verify/', {
      response: authenticator.register(options),
    })
    expect(created.statusCode).toBe(201)
    await call('POST', '/api/token/blacklist/', {})
    for (const name of ['__Host-tessera_access', '__Secure-tessera_refresh']) jar.set(name, '')

    const loginOptions = (await call('POST', '/api/passkeys/login/options/', {})).json()
    // A forged cross-site login (no CSRF header) is refused before the assertion is looked at.
    const forged = await call(
      'POST',
      '/api/passkeys/login/verify/',
      { response: authenticator.assert(loginOptions) },
      false,
    )
    expect(forged.statusCode).toBe(403)
    expect(forged.json()).toMatchObject({ code: 'csrf_failed' })
    const again = (await call('POST', '/api/passkeys/login/options/', {})).json()
    const login = await call('POST', '/api/passkeys/login/verify/', {
      response: authenticator.assert(again),
    })
    expect(login.statusCode).toBe(200)
    expect(Object.keys(login.json()).sort()).toEqual(['access_expires_at', 'access_expires_in'])
    const cookies = login.cookies as { name: string; httpOnly?: boolean }[]
    expect(cookies.filter((c) => /access|refresh/.test(c.name)).every((c) => c.httpOnly)).toBe(true)
    expect(jar.get('__Host-tessera_access')).toMatch(/^ey/)
    const me = await call('GET', '/api/me/')
    expect(me.json()).toMatchObject({ username: 'alice' })
  })
})
