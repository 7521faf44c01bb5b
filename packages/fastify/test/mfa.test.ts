import {
  AuthService,
  loadSettings,
  PasswordHasher,
  type SettingsInput,
  type Stores,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { totpCode } from '@tessera/core/mfa'
import { type TesseraPluginOptions, tesseraPlugin, tesseraResourceServer } from '@tessera/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY } from './app-fixture.js'

const PASSWORD = 'correct horse battery'
const CHALLENGE = 'Bearer realm="api"'

/** An app on memory stores whose services run on a frozen clock. */
async function buildMfaApp(
  settingsInput: SettingsInput = {},
  pluginOptions: Partial<TesseraPluginOptions> = {},
) {
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: TEST_SIGNING_KEY, ...settingsInput },
  })
  const stores: Stores = createMemoryStores()
  let now = 1_800_000_015
  const auth = new AuthService({
    stores,
    settings,
    clock: () => now,
    hasher: new PasswordHasher({ argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } }),
  })
  const app = Fastify({ logger: false })
  await app.register(tesseraPlugin, {
    auth,
    stores,
    settings,
    ...pluginOptions,
    // Generous, except where a test says otherwise: logins run many times here.
    throttleRates: {
      mfaToken: '100/min',
      mfaUser: '100/min',
      loginUsername: '100/min',
      loginIp: '100/min',
      ...pluginOptions.throttleRates,
    },
  })
  await app.ready()
  return {
    app,
    auth,
    stores,
    now: () => now,
    advance: (seconds: number) => {
      now += seconds
    },
  }
}

type MfaApp = Awaited<ReturnType<typeof buildMfaApp>>

const post = (app: FastifyInstance, url: string, payload: object, access?: string) =>
  app.inject({
    method: 'POST',
    url,
    payload,
    ...(access === undefined ? {} : { headers: { authorization: `Bearer ${access}` } }),
  })

async function register(app: FastifyInstance, username: string): Promise<string> {
  const created = await post(app, '/api/register/', { username, password: PASSWORD })
  expect(created.statusCode).toBe(201)
  const login = await post(app, '/api/token/', { username, password: PASSWORD })
  expect(login.statusCode).toBe(200)
  return login.json().access
}

/** Registers and enrols `username`; returns the secret, codes and an access token. */
async function enrol(subject: MfaApp, username: string) {
  const access = await register(subject.app, username)
  const setup = await post(subject.app, '/api/mfa/totp/setup/', { password: PASSWORD }, access)
  expect(setup.statusCode).toBe(200)
  const { secret } = setup.json()
  const confirm = await post(
    subject.app,
    '/api/mfa/totp/confirm/',
    { code: totpCode(secret, subject.now()) },
    access,
  )
  expect(confirm.statusCode).toBe(200)
  subject.advance(90)
  return { secret: secret as string, codes: confirm.json().recovery_codes as string[], access }
}

async function passwordStep(app: FastifyInstance, username: string, extra: object = {}) {
  const response = await post(app, '/api/token/', { username, password: PASSWORD, ...extra })
  expect(response.statusCode).toBe(401)
  return response.json().mfa_token as string
}

describe('two-factor authentication over HTTP', () => {
  let subject: MfaApp
  afterEach(async () => subject?.app.close())

  it('enrols: setup answers the secret, URI and QR SVG; confirm the recovery codes', async () => {
    subject = await buildMfaApp({ MFA_ISSUER: 'Acme' })
    const access = await register(subject.app, 'ada')
    const anonymous = await post(subject.app, '/api/mfa/totp/setup/', { password: PASSWORD })
    expect(anonymous.statusCode).toBe(401)
    const wrong = await post(subject.app, '/api/mfa/totp/setup/', { password: 'nope nope' }, access)
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json()).toEqual({ password: ['Invalid password.'] })
    const setup = await post(subject.app, '/api/mfa/totp/setup/', { password: PASSWORD }, access)
    expect(setup.statusCode).toBe(200)
    expect(setup.headers['cache-control']).toBe('no-store')
    const body = setup.json()
    expect(Object.keys(body)).toEqual(['secret', 'otpauth_uri', 'qr_svg'])
    expect(body.otpauth_uri).toBe(
      `otpauth://totp/Acme:ada?issuer=Acme&secret=${body.secret}&algorithm=SHA1&digits=6&period=30`,
    )
    expect(body.qr_svg).toMatch(/^<svg /)
    const status = await subject.app.inject({
      url: '/api/mfa/',
      headers: { authorization: `Bearer ${access}` },
    })
    expect(status.json()).toEqual({ enabled: false, pending: true, recovery_codes_left: 0 })
    const bad = await post(subject.app, '/api/mfa/totp/confirm/', { code: '12345x' }, access)
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toEqual({ code: ['Invalid code.'] })
    const tooLong = await post(
      subject.app,
      '/api/mfa/totp/confirm/',
      { code: '1'.repeat(17) },
      access,
    )
    expect(tooLong.statusCode).toBe(400)
    const confirm = await post(
      subject.app,
      '/api/mfa/totp/confirm/',
      { code: totpCode(body.secret, subject.now()) },
      access,
    )
    expect(confirm.statusCode).toBe(200)
    expect(confirm.json().recovery_codes).toHaveLength(10)
  })

  it('answers the password step with mfa_required and an mfa_token, then the pair for a code', async () => {
    subject = await buildMfaApp()
    const { secret } = await enrol(subject, 'bob')
    const step = await post(subject.app, '/api/token/', { username: 'bob', password: PASSWORD })
    expect(step.statusCode).toBe(401)
    expect(step.headers['www-authenticate']).toBe(CHALLENGE)
    expect(step.headers['cache-control']).toBe('no-store')
    const body = step.json()
    expect(Object.keys(body)).toEqual(['detail', 'code', 'mfa_token', 'methods'])
    expect(body).toMatchObject({
      detail: 'Multi-factor authentication required.',
      code: 'mfa_required',
      methods: ['totp'],
    })
    // A wrong password is still the one generic failure: no hint that MFA is on.
    const wrongPassword = await post(subject.app, '/api/token/', { username: 'bob', password: 'x' })
    expect(wrongPassword.json()).toEqual({
      detail: 'No active account found with the given credentials',
    })
    const wrong = await post(subject.app, '/api/token/mfa/', {
      mfa_token: body.mfa_token,
      code: '000000',
    })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.headers['www-authenticate']).toBe(CHALLENGE)
    expect(wrong.json()).toEqual({
      detail: 'Invalid authentication code.',
      code: 'mfa_code_invalid',
    })
    const done = await post(subject.app, '/api/token/mfa/', {
      mfa_token: body.mfa_token,
      code: totpCode(secret, subject.now()),
    })
    expect(done.statusCode).toBe(200)
    expect(Object.keys(done.json())).toEqual(['refresh', 'access'])
    const hello = await subject.app.inject({
      url: '/api/hello/',
      headers: { authorization: `Bearer ${done.json().access}` },
    })
    expect(hello.statusCode).toBe(200)
    // Spent: the same mfa_token with the next code is refused.
    subject.advance(30)
    const again = await post(subject.app, '/api/token/mfa/', {
      mfa_token: body.mfa_token,
      code: totpCode(secret, subject.now()),
    })
    expect(again.statusCode).toBe(401)
    expect(again.json()).toEqual({ detail: 'Token is blacklisted', code: 'token_not_valid' })
    // Expired after MFA_TOKEN_LIFETIME.
    const late = await passwordStep(subject.app, 'bob')
    subject.advance(300)
    const expired = await post(subject.app, '/api/token/mfa/', {
      mfa_token: late,
      code: totpCode(secret, subject.now()),
    })
    expect(expired.json()).toEqual({ detail: 'Token is expired', code: 'token_not_valid' })
  })

  it('asks for the second factor at the sliding login too, never handing out a sliding token', async () => {
    subject = await buildMfaApp({}, { slidingTokens: true })
    await enrol(subject, 'slide')
    const step = await post(subject.app, '/api/token/sliding/', {
      username: 'slide',
      password: PASSWORD,
    })
    expect(step.statusCode).toBe(401)
    expect(step.json()).toMatchObject({ code: 'mfa_required' })
    expect(step.json().token).toBeUndefined()
  })

  it('takes the responseExtras of the login body on the code step too', async () => {
    subject = await buildMfaApp({}, { responseExtras: { user: true, accessExpiresAt: true } })
    const { secret } = await enrol(subject, 'extra')
    const token = await passwordStep(subject.app, 'extra')
    const done = await post(subject.app, '/api/token/mfa/', {
      mfa_token: token,
      code: totpCode(secret, subject.now()),
    })
    expect(Object.keys(done.json())).toEqual(['refresh', 'access', 'access_expires_at', 'user'])
    expect(done.json().user.username).toBe('extra')
  })

  it('refuses the mfa_token as an access token, at refresh, at verify and on resource servers', async () => {
    subject = await buildMfaApp()
    await enrol(subject, 'carl')
    const token = await passwordStep(subject.app, 'carl')
    const hello = await subject.app.inject({
      url: '/api/hello/',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(hello.statusCode).toBe(401)
    expect(hello.json().messages[0].message).toBe('Token has wrong type')
    const refresh = await post(subject.app, '/api/token/refresh/', { refresh: token })
    expect(refresh.json()).toEqual({ detail: 'Token has wrong type', code: 'token_not_valid' })
    const verify = await post(subject.app, '/api/token/verify/', { token })
    expect(verify.statusCode).toBe(401)
    expect(verify.json()).toEqual({ detail: 'Token has wrong type', code: 'token_not_valid' })
    const blacklist = await post(subject.app, '/api/token/blacklist/', { refresh: token })
    expect(blacklist.statusCode).toBe(401)
    const resource = Fastify({ logger: false })
    await resource.register(tesseraResourceServer, {
      keys: [{ alg: 'HS256', secret: TEST_SIGNING_KEY }],
      clock: subject.now,
    })
    resource.get('/data', async (request) => ({ user: request.user.isAuthenticated }))
    await resource.ready()
    try {
      const refused = await resource.inject({
        url: '/data',
        headers: { authorization: `Bearer ${token}` },
      })
      expect(refused.statusCode).toBe(401)
      expect(refused.json().messages[0].message).toBe('Token has wrong type')
    } finally {
      await resource.close()
    }
  })

  it('throttles per mfa_token before checking the code', async () => {
    subject = await buildMfaApp({}, { throttleRates: { mfaToken: '2/min', mfaUser: '100/min' } })
    const { secret } = await enrol(subject, 'dora')
    const token = await passwordStep(subject.app, 'dora')
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const wrong = await post(subject.app, '/api/token/mfa/', { mfa_token: token, code: '000000' })
      expect(wrong.statusCode).toBe(401)
    }
    // The right code, refused unchecked: it is not spent, so it still works on a fresh token.
    const code = totpCode(secret, subject.now())
    const throttled = await post(subject.app, '/api/token/mfa/', { mfa_token: token, code })
    expect(throttled.statusCode).toBe(429)
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0)
    const fresh = await passwordStep(subject.app, 'dora')
    const done = await post(subject.app, '/api/token/mfa/', { mfa_token: fresh, code })
    expect(done.statusCode).toBe(200)
  })

  it('throttles per account across mfa tokens before checking the code', async () => {
    subject = await buildMfaApp({}, { throttleRates: { mfaToken: '100/min', mfaUser: '3/hour' } })
    // The enrolment's confirming code was one attempt of the account's three.
    const { secret } = await enrol(subject, 'eve')
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const token = await passwordStep(subject.app, 'eve')
      const wrong = await post(subject.app, '/api/token/mfa/', { mfa_token: token, code: '000000' })
      expect(wrong.statusCode).toBe(401)
    }
    const token = await passwordStep(subject.app, 'eve')
    const code = totpCode(secret, subject.now())
    const throttled = await post(subject.app, '/api/token/mfa/', { mfa_token: token, code })
    expect(throttled.statusCode).toBe(429)
    // Nothing was spent: the step is still unused in the store.
    const user = await subject.stores.users.findUserByUsernameKey('eve')
    expect((await subject.stores.mfa.findTotp(user?.id as string))?.lastUsedStep).toBe(
      Math.floor((subject.now() - 90) / 30),
    )
  })

  it('accepts one code exactly once among 20 parallel requests', async () => {
    subject = await buildMfaApp()
    const { secret } = await enrol(subject, 'fred')
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => passwordStep(subject.app, 'fred')),
    )
    const code = totpCode(secret, subject.now())
    const answers = await Promise.all(
      tokens.map((token) => post(subject.app, '/api/token/mfa/', { mfa_token: token, code })),
    )
    const statuses = answers.map((answer) => answer.statusCode)
    expect(statuses.filter((status) => status === 200)).toHaveLength(1)
    expect(statuses.filter((status) => status === 401)).toHaveLength(19)
  })

  it('answers 400 for bad bodies, never a 500', async () => {
    subject = await buildMfaApp()
    const cases: [object, object][] = [
      [{}, { mfa_token: ['This field is required.'] }],
      [{ mfa_token: 'x' }, { code: ['This field is required.'] }],
      [
        { mfa_token: 'x', code: '123456', recovery_code: 'abcd' },
        { non_field_errors: ['Give either code or recovery_code, not both.'] },
      ],
    ]
    for (const [payload, expected] of cases) {
      const response = await post(subject.app, '/api/token/mfa/', payload)
      expect(response.statusCode).toBe(400)
      expect(response.json()).toEqual(expected)
    }
    const notBool = await post(subject.app, '/api/token/mfa/', {
      mfa_token: 'x',
      code: '123456',
      remember_device: 'yes',
    })
    expect(notBool.statusCode).toBe(400)
    const garbage = await post(subject.app, '/api/token/mfa/', { mfa_token: 'x', code: '1' })
    expect(garbage.statusCode).toBe(401)
    expect(garbage.json()).toEqual({ detail: 'Token is invalid', code: 'token_not_valid' })
  })

  it('logs in with a recovery code once', async () => {
    subject = await buildMfaApp()
    const { codes } = await enrol(subject, 'gina')
    const token = await passwordStep(subject.app, 'gina')
    const done = await post(subject.app, '/api/token/mfa/', {
      mfa_token: token,
      recovery_code: codes[0],
    })
    expect(done.statusCode).toBe(200)
    const second = await passwordStep(subject.app, 'gina')
    const reused = await post(subject.app, '/api/token/mfa/', {
      mfa_token: second,
      recovery_code: codes[0],
    })
    expect(reused.json()).toEqual({
      detail: 'Invalid authentication code.',
      code: 'mfa_code_invalid',
    })
  })

  it('remembers a device: its token skips the step, until revoked or the password changes', async () => {
    subject = await buildMfaApp()
    const { secret } = await enrol(subject, 'hank')
    const trust = async () => {
      subject.advance(30)
      const token = await passwordStep(subject.app, 'hank')
      const done = await post(subject.app, '/api/token/mfa/', {
        mfa_token: token,
        code: totpCode(secret, subject.now()),
        remember_device: true,
      })
      expect(done.statusCode).toBe(200)
      expect(Object.keys(done.json())).toEqual(['refresh', 'access', 'device_token'])
      return done.json() as { access: string; device_token: string }
    }
    const first = await trust()
    const skip = await post(subject.app, '/api/token/', {
      username: 'hank',
      password: PASSWORD,
      device_token: first.device_token,
    })
    expect(skip.statusCode).toBe(200)
    const listed = await subject.app.inject({
      url: '/api/mfa/devices/',
      headers: { authorization: `Bearer ${first.access}` },
    })
    expect(listed.json()).toHaveLength(1)
    const [device] = listed.json()
    expect(Object.keys(device)).toEqual(['id', 'device', 'ip', 'created_at', 'expires_at'])
    const revoke = await subject.app.inject({
      method: 'DELETE',
      url: `/api/mfa/devices/${device.id}/`,
      headers: { authorization: `Bearer ${first.access}` },
    })
    expect(revoke.statusCode).toBe(204)
    const gone = await subject.app.inject({
      method: 'DELETE',
      url: `/api/mfa/devices/${device.id}/`,
      headers: { authorization: `Bearer ${first.access}` },
    })
    expect(gone.statusCode).toBe(404)
    await passwordStep(subject.app, 'hank', { device_token: first.device_token })

    const second = await trust()
    const change = await post(
      subject.app,
      '/api/password/change/',
      { old_password: PASSWORD, new_password: PASSWORD.toUpperCase() },
      second.access,
    )
    expect(change.statusCode).toBe(200)
    const refused = await post(subject.app, '/api/token/', {
      username: 'hank',
      password: PASSWORD.toUpperCase(),
      device_token: second.device_token,
    })
    expect(refused.statusCode).toBe(401)
    expect(refused.json().code).toBe('mfa_required')
  })

  it('disables and replaces recovery codes with the password and a code', async () => {
    subject = await buildMfaApp()
    const { secret, access } = await enrol(subject, 'iris')
    const noFactor = await post(
      subject.app,
      '/api/mfa/recovery-codes/',
      { password: PASSWORD },
      access,
    )
    expect(noFactor.json()).toEqual({ code: ['This field is required.'] })
    const fresh = await post(
      subject.app,
      '/api/mfa/recovery-codes/',
      { password: PASSWORD, code: totpCode(secret, subject.now()) },
      access,
    )
    expect(fresh.statusCode).toBe(200)
    expect(fresh.json().recovery_codes).toHaveLength(10)
    const wrong = await post(
      subject.app,
      '/api/mfa/totp/disable/',
      { password: PASSWORD, code: '000000' },
      access,
    )
    expect(wrong.statusCode).toBe(400)
    expect(wrong.json()).toEqual({ code: ['Invalid code.'] })
    const off = await post(
      subject.app,
      '/api/mfa/totp/disable/',
      { password: PASSWORD, recovery_code: fresh.json().recovery_codes[3] },
      access,
    )
    expect(off.statusCode).toBe(200)
    expect(off.json()).toEqual({})
    const login = await post(subject.app, '/api/token/', { username: 'iris', password: PASSWORD })
    expect(login.statusCode).toBe(200)
  })

  describe('the staff reset', () => {
    async function staff(subjectApp: MfaApp, username: string) {
      const access = await register(subjectApp.app, username)
      const user = await subjectApp.stores.users.findUserByUsernameKey(username)
      await subjectApp.stores.users.updateUser(user?.id as string, { isStaff: true })
      // Changes through the admin API need the model permission (or a superuser).
      const change = await subjectApp.stores.permissions.ensurePermission(
        'auth',
        'change_user',
        'Can change user',
      )
      await subjectApp.stores.permissions.grantUserPermission(user?.id as string, change.id)
      return access
    }

    it('lets staff reset a user; others get 403; unknown users 404', async () => {
      subject = await buildMfaApp()
      await enrol(subject, 'jack')
      const jack = await subject.stores.users.findUserByUsernameKey('jack')
      const url = `/api/admin/users/${jack?.id}/mfa/reset/`
      const plain = await register(subject.app, 'kate')
      expect((await post(subject.app, url, {}, plain)).statusCode).toBe(403)
      expect((await post(subject.app, url, {})).statusCode).toBe(401)
      const admin = await staff(subject, 'lily')
      const reset = await post(subject.app, url, {}, admin)
      expect(reset.statusCode).toBe(200)
      expect(reset.json()).toEqual({ had_mfa: true })
      expect(
        (await post(subject.app, '/api/admin/users/999/mfa/reset/', {}, admin)).statusCode,
      ).toBe(404)
      expect(
        (await post(subject.app, '/api/admin/users/abc/mfa/reset/', {}, admin)).statusCode,
      ).toBe(404)
      const [event] = await subject.stores.audit.listEvents({
        limit: 1,
        userId: jack?.id as string,
      })
      expect(event).toMatchObject({ type: 'mfa_reset', data: { by: 'admin', had_mfa: true } })
      const login = await post(subject.app, '/api/token/', { username: 'jack', password: PASSWORD })
      expect(login.statusCode).toBe(200)
    })

    it('with MFA_REQUIRED_FOR_STAFF, refuses staff without a second factor', async () => {
      subject = await buildMfaApp({ MFA_REQUIRED_FOR_STAFF: true })
      const admin = await staff(subject, 'mona')
      const refused = await post(subject.app, '/api/admin/users/1/mfa/reset/', {}, admin)
      expect(refused.statusCode).toBe(403)
      expect(refused.json()).toEqual({
        detail: 'Staff accounts must enable two-factor authentication first.',
        code: 'mfa_enrollment_required',
      })
    })
  })
})
