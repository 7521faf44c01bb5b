import { totpCode } from '@tessera/core/mfa'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { beforeEach, describe, expect, it } from 'vitest'
import { buildTestApp } from '../app-fixture.js'
import { CookieJar } from './cookie-jar.js'

const ACCESS = '__Host-tessera_access'
const REFRESH = '__Secure-tessera_refresh'
const CSRF = '__Host-tessera_csrf'
const APP_ORIGIN = 'https://app.example.com'
const PETER = { username: 'peter', password: 'correct horse battery', first_name: 'Peter' }

/** A browser on APP_ORIGIN: its cookie jar, its CSRF token, its same-site fetches. */
class Browser {
  readonly jar = new CookieJar()
  csrf = ''
  constructor(readonly app: FastifyInstance) {}

  async request(
    options: InjectOptions & { csrf?: boolean; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse> {
    const { csrf = true, headers = {}, ...rest } = options
    const response = await this.app.inject({
      ...rest,
      headers: {
        host: 'api.example.com',
        origin: APP_ORIGIN,
        'sec-fetch-site': 'same-site',
        cookie: this.jar.header(),
        ...(csrf ? { 'x-csrftoken': this.csrf } : {}),
        ...headers,
      },
    })
    this.jar.take(response)
    return response
  }

  async start(): Promise<void> {
    const response = await this.request({ method: 'GET', url: '/api/csrf/', csrf: false })
    this.csrf = response.json().csrf_token
  }

  async login(): Promise<LightMyRequestResponse> {
    return this.request({ method: 'POST', url: '/api/token/', payload: PETER })
  }
}

async function cookieApp(mode: 'cookie' | 'both' = 'cookie', secure = true) {
  const { app } = await buildTestApp(
    {},
    { transport: { mode, secure, trustedOrigins: [APP_ORIGIN] } },
  )
  const registered = await app.inject({ method: 'POST', url: '/api/register/', payload: PETER })
  expect(registered.statusCode).toBe(201)
  return app
}

function setCookie(response: LightMyRequestResponse, name: string): string {
  const headers = ([] as string[]).concat(response.headers['set-cookie'] ?? [])
  const found = headers.find((header) => header.startsWith(`${name}=`))
  if (found === undefined) throw new Error(`no Set-Cookie for ${name} in ${headers.join(' | ')}`)
  return found
}

describe('body mode (the default)', () => {
  it('sets no cookie, reads none, and has no CSRF route', async () => {
    const { app } = await buildTestApp()
    await app.inject({ method: 'POST', url: '/api/register/', payload: PETER })
    const login = await app.inject({ method: 'POST', url: '/api/token/', payload: PETER })
    expect(login.headers['set-cookie']).toBeUndefined()
    expect(Object.keys(login.json())).toEqual(['refresh', 'access'])
    const hello = await app.inject({
      method: 'GET',
      url: '/api/hello/',
      headers: { cookie: `${ACCESS}=${login.json().access}` },
    })
    expect(hello.statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/api/csrf/' })).statusCode).toBe(404)
  })
})

describe('cookie mode', () => {
  let app: FastifyInstance
  let browser: Browser
  beforeEach(async () => {
    app = await cookieApp()
    browser = new Browser(app)
    await browser.start()
  })

  it('hands out one CSRF token per browser, in an HttpOnly __Host- cookie', async () => {
    expect(browser.csrf).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(browser.jar.get(CSRF)).toBe(browser.csrf)
    const again = await browser.request({ method: 'GET', url: '/api/csrf/', csrf: false })
    expect(again.json()).toEqual({ csrf_token: browser.csrf })
    expect(again.headers['set-cookie']).toBeUndefined()
    const other = await app.inject({ method: 'GET', url: '/api/csrf/' })
    expect(other.json().csrf_token).not.toBe(browser.csrf)
    expect(setCookie(other, CSRF)).toMatch(/; Path=\/; HttpOnly; Secure; SameSite=Lax$/)
  })

  it('logs in with cookies only: the tokens never reach the body', async () => {
    const login = await browser.login()
    expect(login.statusCode).toBe(200)
    expect(Object.keys(login.json())).toEqual(['access_expires_at', 'access_expires_in'])
    expect(login.body).not.toContain(browser.jar.get(ACCESS))
    expect(setCookie(login, ACCESS)).toMatch(
      /^__Host-tessera_access=[^;]+; Max-Age=300; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(setCookie(login, REFRESH)).toMatch(
      /^__Secure-tessera_refresh=[^;]+; Max-Age=86400; Path=\/api\/token\/; HttpOnly; Secure; SameSite=Strict$/,
    )
    const hello = await browser.request({ method: 'GET', url: '/api/hello/', csrf: false })
    expect(hello.json()).toEqual({ msg: 'Hello Peter ' })
  })

  it('refreshes from the refresh cookie, rotating it, and detects its reuse', async () => {
    await browser.login()
    const before = browser.jar.get(REFRESH) as string
    const refreshed = await browser.request({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
    })
    expect(refreshed.statusCode).toBe(200)
    expect(Object.keys(refreshed.json())).toEqual(['access_expires_at', 'access_expires_in'])
    expect(browser.jar.get(REFRESH)).not.toBe(before)
    browser.jar.set(REFRESH, before)
    const reused = await browser.request({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
    })
    expect(reused.statusCode).toBe(401)
    expect(reused.json().code).toBe('token_not_valid')
  })

  it('logs out: the session ends and both token cookies are cleared', async () => {
    await browser.login()
    const logout = await browser.request({
      method: 'POST',
      url: '/api/token/blacklist/',
      payload: {},
    })
    expect(logout.statusCode).toBe(200)
    expect(setCookie(logout, ACCESS)).toContain('Max-Age=0')
    expect(setCookie(logout, REFRESH)).toContain('Max-Age=0')
    expect(browser.jar.get(ACCESS)).toBeUndefined()
    // (The access token itself is revoked too: packages/server/test/http/browser-transport.test.ts.)
    const refresh = await browser.request({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
    })
    expect(refresh.statusCode).toBe(401)
    expect(refresh.json()).toEqual({ detail: 'Authentication credentials were not provided.' })
  })

  it('changes the password into fresh cookies, never the body; the old session is over', async () => {
    await browser.login()
    const oldRefresh = browser.jar.get(REFRESH) as string
    const changed = await browser.request({
      method: 'POST',
      url: '/api/password/change/',
      payload: { old_password: PETER.password, new_password: 'a brand new passphrase 9' },
    })
    expect(changed.statusCode).toBe(200)
    expect(Object.keys(changed.json())).toEqual(['access_expires_at', 'access_expires_in'])
    expect(setCookie(changed, ACCESS)).toContain('HttpOnly')
    expect(browser.jar.get(REFRESH)).not.toBe(oldRefresh)
    // The new cookies work at once; the old refresh token names an ended family.
    const hello = await browser.request({ method: 'GET', url: '/api/hello/', csrf: false })
    expect(hello.statusCode).toBe(200)
    const refreshed = await browser.request({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
    })
    expect(refreshed.statusCode).toBe(200)
    browser.jar.set(REFRESH, oldRefresh)
    const stale = await browser.request({ method: 'POST', url: '/api/token/refresh/', payload: {} })
    expect(stale.statusCode).toBe(401)
  })

  it('refuses a password change without the CSRF header', async () => {
    await browser.login()
    const refused = await browser.request({
      method: 'POST',
      url: '/api/password/change/',
      csrf: false,
      payload: { old_password: PETER.password, new_password: 'a brand new passphrase 9' },
    })
    expect(refused.statusCode).toBe(403)
    expect(refused.json().code).toBe('csrf_failed')
  })

  it('logs out everywhere, clearing the cookies', async () => {
    await browser.login()
    const all = await browser.request({ method: 'POST', url: '/api/logout/all/' })
    expect(all.statusCode).toBe(200)
    expect(browser.jar.get(ACCESS)).toBeUndefined()
  })

  it('lets a bearer header win over the cookie, without CSRF (it is no ambient credential)', async () => {
    await browser.login()
    const bearer = await app.inject({
      method: 'POST',
      url: '/api/logout/all/',
      headers: { authorization: 'Bearer not-a-token', cookie: browser.jar.header() },
    })
    expect(bearer.statusCode).toBe(401)
    expect(bearer.json().code).toBe('token_not_valid')
  })

  it('names the cookies without prefixes and Secure in the development mode', async () => {
    const plain = new Browser(await cookieApp('cookie', false))
    await plain.start()
    const login = await plain.login()
    expect(setCookie(login, 'tessera_access')).toMatch(/; Path=\/; HttpOnly; SameSite=Lax$/)
    expect(setCookie(login, 'tessera_refresh')).not.toContain('Secure')
  })
})

describe('both transports on one server', () => {
  it('gives simplejwt bodies to clients without the CSRF header and cookies to those with it', async () => {
    const app = await cookieApp('both')
    const plain = await app.inject({ method: 'POST', url: '/api/token/', payload: PETER })
    expect(Object.keys(plain.json())).toEqual(['refresh', 'access'])
    expect(plain.headers['set-cookie']).toBeUndefined()
    const refreshed = await app.inject({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: { refresh: plain.json().refresh },
    })
    expect(Object.keys(refreshed.json())).toEqual(['access', 'refresh'])
    const missing = await app.inject({ method: 'POST', url: '/api/token/refresh/', payload: {} })
    expect(missing.statusCode).toBe(400)
    expect(missing.json()).toEqual({ refresh: ['This field is required.'] })

    const browser = new Browser(app)
    await browser.start()
    const login = await browser.login()
    expect(Object.keys(login.json())).toEqual(['access_expires_at', 'access_expires_in'])
    expect(browser.jar.get(ACCESS)).toBeDefined()
  })
})

describe('CSRF attacks on cookie mode', () => {
  let app: FastifyInstance
  let browser: Browser
  beforeEach(async () => {
    app = await cookieApp()
    browser = new Browser(app)
    await browser.start()
  })

  const refused = (response: LightMyRequestResponse, reason: string) => {
    expect(response.statusCode).toBe(403)
    expect(response.json()).toEqual({ detail: `CSRF Failed: ${reason}`, code: 'csrf_failed' })
    expect(response.headers['set-cookie']).toBeUndefined()
  }

  it('refuses a login without the double-submit header, with a wrong one, or without the cookie', async () => {
    refused(
      await browser.request({ method: 'POST', url: '/api/token/', payload: PETER, csrf: false }),
      'CSRF token missing.',
    )
    refused(
      await browser.request({
        method: 'POST',
        url: '/api/token/',
        payload: PETER,
        // One character changed (never to itself: a token may end in either letter).
        headers: {
          'x-csrftoken': `${browser.csrf.slice(0, -1)}${browser.csrf.endsWith('A') ? 'B' : 'A'}`,
        },
      }),
      'CSRF token incorrect.',
    )
    refused(
      await app.inject({
        method: 'POST',
        url: '/api/token/',
        payload: PETER,
        headers: { 'x-csrftoken': browser.csrf },
      }),
      'CSRF cookie not set.',
    )
  })

  it('refuses an untrusted Origin, naming it, and a cross-site fetch without one', async () => {
    refused(
      await browser.request({
        method: 'POST',
        url: '/api/token/',
        payload: PETER,
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      }),
      'Origin checking failed - https://evil.example does not match any trusted origins.',
    )
    refused(
      await browser.request({
        method: 'POST',
        url: '/api/token/',
        payload: PETER,
        headers: { origin: '', 'sec-fetch-site': 'cross-site' },
      }),
      'Cross-site request refused.',
    )
    refused(
      await browser.request({
        method: 'POST',
        url: '/api/token/',
        payload: PETER,
        headers: { origin: '', referer: 'https://evil.example/form' },
      }),
      'Referer checking failed - the Referer does not match any trusted origins.',
    )
  })

  it('guards every unsafe request the access cookie authenticates, refresh and logout included', async () => {
    expect((await browser.login()).statusCode).toBe(200)
    for (const url of ['/api/logout/all/', '/api/token/refresh/', '/api/token/blacklist/']) {
      refused(
        await browser.request({ method: 'POST', url, payload: {}, csrf: false }),
        'CSRF token missing.',
      )
    }
    const page = await browser.request({
      method: 'PATCH',
      url: '/api/me/',
      payload: { first_name: 'Mallory' },
      headers: { origin: 'https://evil.example' },
    })
    refused(
      page,
      'Origin checking failed - https://evil.example does not match any trusted origins.',
    )
    // Safe methods need no token: a cross-site GET changes nothing (SameSite=Lax keeps the cookie
    // off cross-site subrequests anyway).
    const me = await browser.request({ method: 'GET', url: '/api/me/', csrf: false })
    expect(me.json().first_name).toBe('Peter')
  })

  it('accepts the API’s own origin and a same-origin request without Origin', async () => {
    const own = await browser.request({
      method: 'POST',
      url: '/api/token/',
      payload: PETER,
      headers: { origin: 'http://api.example.com', 'sec-fetch-site': 'same-origin' },
    })
    expect(own.statusCode).toBe(200)
    const none = await browser.request({
      method: 'POST',
      url: '/api/token/refresh/',
      payload: {},
      headers: { origin: '', 'sec-fetch-site': '' },
    })
    expect(none.statusCode).toBe(200)
  })
})

describe('cookie mode with a second factor', () => {
  it('completes the MFA step with cookies, CSRF-checked, and trusts the device by cookie', async () => {
    const app = await cookieApp()
    const browser = new Browser(app)
    await browser.start()
    await browser.login()
    const setup = await browser.request({
      method: 'POST',
      url: '/api/mfa/totp/setup/',
      payload: { password: PETER.password },
    })
    expect(setup.statusCode, setup.body).toBe(200)
    const { secret } = setup.json() as { secret: string }
    const now = Date.now() / 1000
    const confirm = await browser.request({
      method: 'POST',
      url: '/api/mfa/totp/confirm/',
      payload: { code: totpCode(secret, now) },
    })
    expect(confirm.statusCode, confirm.body).toBe(200)
    await browser.request({ method: 'POST', url: '/api/token/blacklist/', payload: {} })

    const first = await browser.login()
    expect(first.statusCode).toBe(401)
    const { mfa_token, code } = first.json() as { mfa_token: string; code: string }
    expect(code).toBe('mfa_required')
    expect(browser.jar.get(ACCESS)).toBeUndefined()
    const step = { mfa_token, code: totpCode(secret, now + 30), remember_device: true }
    const forged = await browser.request({
      method: 'POST',
      url: '/api/token/mfa/',
      payload: step,
      csrf: false,
    })
    expect(forged.statusCode).toBe(403)
    const second = await browser.request({ method: 'POST', url: '/api/token/mfa/', payload: step })
    expect(second.statusCode).toBe(200)
    expect(Object.keys(second.json())).toEqual(['access_expires_at', 'access_expires_in'])
    expect(setCookie(second, '__Secure-tessera_device')).toMatch(
      /; Max-Age=2592000; Path=\/api\/token\/; HttpOnly; Secure; SameSite=Strict$/,
    )
    expect(browser.jar.get(ACCESS)).toBeDefined()

    // Logged out, the device stays trusted: the next login skips the second factor.
    await browser.request({ method: 'POST', url: '/api/token/blacklist/', payload: {} })
    expect(browser.jar.get('__Secure-tessera_device')).toBeDefined()
    expect((await browser.login()).statusCode).toBe(200)
  })
})

describe('cookie mode: the admin API', () => {
  it('serves staff from the cookie; changes need the CSRF token, as every unsafe request', async () => {
    const { app, auth } = await buildTestApp(
      {},
      { transport: { mode: 'cookie', secure: true, trustedOrigins: [APP_ORIGIN] } },
    )
    const registered = await app.inject({ method: 'POST', url: '/api/register/', payload: PETER })
    const { id } = registered.json() as { id: string }
    await auth.stores.users.updateUser(id, { isStaff: true, isSuperuser: true })
    const browser = new Browser(app)
    await browser.start()
    expect((await browser.login()).statusCode).toBe(200)
    const list = await browser.request({ method: 'GET', url: '/api/admin/users/', csrf: false })
    expect(list.statusCode).toBe(200)
    expect(list.json()).toMatchObject({ count: 1, results: [{ username: 'peter' }] })
    const forged = await browser.request({
      method: 'POST',
      url: '/api/admin/groups/',
      payload: { name: 'editors' },
      csrf: false,
    })
    expect(forged.statusCode).toBe(403)
    expect(forged.json()).toMatchObject({ code: 'csrf_failed' })
    const created = await browser.request({
      method: 'POST',
      url: '/api/admin/groups/',
      payload: { name: 'editors' },
    })
    expect(created.statusCode).toBe(201)
    await app.close()
  })
})
