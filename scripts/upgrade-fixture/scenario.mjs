// The scenario of an upgrade fixture (scripts/make-upgrade-fixture.mjs), played against the OLD
// version's own CLI and HTTP API, and the old server's verdict on every token it issued.
import { totpCode } from '@tessera/core/mfa'
import { runCli, serve } from './old-checkout.mjs'

async function call(base, method, path, body, token) {
  const headers = {}
  if (body !== undefined) headers['content-type'] = 'application/json'
  if (token !== undefined) headers.authorization = `Bearer ${token}`
  const response = await fetch(`${base}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? {} : JSON.parse(text) }
}

async function expectStatus(promise, status, what) {
  const answer = await promise
  if (answer.status !== status)
    throw new Error(`${what}: ${answer.status} ${JSON.stringify(answer.body)}`)
  return answer.body
}

const kidOf = (token) =>
  JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString()).kid ?? null
const claimsOf = (token) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString())

/**
 * The scenario, the same on both backends: users; sessions (one rotated); a logout; a session
 * ended from another; a logout everywhere; a password change; a blacklisted refresh token; a
 * deactivated user; a key rotation between two runs of the server; and, when the version has
 * them, a second factor (with a remembered device) and a mail in the outbox.
 */
export async function populate(old, env, features) {
  const users = {}
  const tokens = []
  const register = async (base, username) => {
    const password = `${username} upgrade fixture passphrase 7`
    await expectStatus(
      call(base, 'POST', '/api/register/', {
        username,
        password,
        email: `${username}@example.com`,
      }),
      201,
      `register ${username}`,
    )
    users[username] = { password, email: `${username}@example.com` }
  }
  const login = (base, username) =>
    expectStatus(
      call(base, 'POST', '/api/token/', { username, password: users[username].password }),
      200,
      `login ${username}`,
    )
  const keep = (name, user, pair, refreshState, note) => {
    tokens.push({ name, user, type: 'access', token: pair.access, note })
    if (pair.refresh !== undefined)
      tokens.push({
        name,
        user,
        type: 'refresh',
        token: pair.refresh,
        expected: refreshState,
        note,
      })
  }

  // First run: key K1 signs.
  let server = await serve(old, env)
  let base = server.url
  const names = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']
  if (features.mfa) names.push('mallory')
  for (const name of names) await register(base, name)
  const a1 = await login(base, 'alice')
  const a1b = await expectStatus(
    call(base, 'POST', '/api/token/refresh/', { refresh: a1.refresh }),
    200,
    'refresh alice',
  )
  keep('alice-rotated-from', 'alice', a1, 'revoked', 'refresh token rotated away (K1)')
  keep('alice-rotated-to', 'alice', a1b, 'live', 'successor of a rotation, signed by K1')
  const bob = await login(base, 'bob')
  await expectStatus(
    call(base, 'POST', '/api/token/blacklist/', { refresh: bob.refresh }, bob.access),
    200,
    'logout bob',
  )
  keep('bob-logged-out', 'bob', bob, 'revoked', 'logout with the access token as bearer')
  const carol1 = await login(base, 'carol')
  const frank = await login(base, 'frank')
  keep('frank-deactivated', 'frank', frank, 'revoked', 'user deactivated by the CLI')
  await server.stop()

  // Between runs, the CLI: rotate the keys, a superuser, a deactivation.
  runCli(old, env, ['keys', 'rotate'])
  runCli(
    old,
    env,
    ['createsuperuser', '--no-input', '--username', 'admin', '--email', 'admin@example.com'],
    {
      TESSERA_SUPERUSER_PASSWORD: 'admin upgrade fixture passphrase 7',
    },
  )
  users.admin = { password: 'admin upgrade fixture passphrase 7', email: 'admin@example.com' }
  runCli(old, env, ['users', 'deactivate', 'frank'])
  users.frank.active = false

  // Second run: key K2 signs.
  server = await serve(old, env)
  base = server.url
  keep('admin', 'admin', await login(base, 'admin'), 'live', 'superuser, signed by K2')
  keep('alice-second-session', 'alice', await login(base, 'alice'), 'live', 'signed by K2')
  const carol2 = await login(base, 'carol')
  const carolSessions = await expectStatus(
    call(base, 'GET', '/api/sessions/', undefined, carol2.access),
    200,
    'carol sessions',
  )
  // Newest first: the older of carol's two sessions is the first run's.
  const endedId = carolSessions.at(-1).id
  await expectStatus(
    call(base, 'DELETE', `/api/sessions/${endedId}/`, undefined, carol2.access),
    204,
    'end carol session',
  )
  keep('carol-session-ended', 'carol', carol1, 'revoked', 'session ended from another (K1)')
  keep('carol-other-session', 'carol', carol2, 'live', 'the session that ended the other')
  const dave1 = await login(base, 'dave')
  const dave2 = await login(base, 'dave')
  await expectStatus(call(base, 'POST', '/api/logout/all/', {}, dave2.access), 200, 'logout all')
  keep('dave-logout-all-1', 'dave', dave1, 'revoked', 'logout everywhere')
  keep('dave-logout-all-2', 'dave', dave2, 'revoked', 'logout everywhere (the caller)')
  const erinOld = await login(base, 'erin')
  const erinPassword = 'erin changed passphrase for upgrades 9'
  const erinNew = await expectStatus(
    call(
      base,
      'POST',
      '/api/password/change/',
      { old_password: users.erin.password, new_password: erinPassword },
      erinOld.access,
    ),
    200,
    'erin password change',
  )
  users.erin.password = erinPassword
  keep('erin-before-password-change', 'erin', erinOld, 'revoked', 'password changed after')
  keep('erin-after-password-change', 'erin', erinNew, 'live', 'pair from the password change')
  const blacklisted = await login(base, 'alice')
  await expectStatus(
    call(base, 'POST', '/api/token/blacklist/', { refresh: blacklisted.refresh }),
    200,
    'blacklist alice',
  )
  keep('alice-blacklisted', 'alice', blacklisted, 'revoked', 'refresh blacklisted, no bearer')

  const mfa = {}
  if (features.mfa) {
    const plain = await login(base, 'mallory')
    keep('mallory-before-mfa', 'mallory', plain, 'live', 'login before turning MFA on')
    const setup = await expectStatus(
      call(
        base,
        'POST',
        '/api/mfa/totp/setup/',
        { password: users.mallory.password },
        plain.access,
      ),
      200,
      'mfa setup',
    )
    const confirm = await expectStatus(
      call(
        base,
        'POST',
        '/api/mfa/totp/confirm/',
        { code: totpCode(setup.secret, Date.now() / 1000) },
        plain.access,
      ),
      200,
      'mfa confirm',
    )
    const challenge = await call(base, 'POST', '/api/token/', {
      username: 'mallory',
      password: users.mallory.password,
    })
    if (challenge.body.code !== 'mfa_required') throw new Error(`no mfa step: ${challenge.status}`)
    const recovery = confirm.recovery_codes[0]
    const stepped = await expectStatus(
      call(base, 'POST', '/api/token/mfa/', {
        mfa_token: challenge.body.mfa_token,
        recovery_code: recovery,
        remember_device: true,
      }),
      200,
      'mfa step',
    )
    keep('mallory-after-mfa', 'mallory', stepped, 'live', 'logged in with a recovery code')
    Object.assign(mfa, {
      user: 'mallory',
      secret: setup.secret,
      usedRecoveryCode: recovery,
      recoveryCodes: confirm.recovery_codes.slice(1),
      deviceToken: stepped.device_token,
    })
  }
  if (features.mail) {
    await expectStatus(
      call(base, 'POST', '/auth/users/reset_password/', { email: 'alice@example.com' }),
      204,
      'reset password mail',
    )
  }

  // The old server's verdicts, token by token: hello for access tokens, verify for both.
  for (const entry of tokens) {
    entry.kid = kidOf(entry.token)
    entry.sid = claimsOf(entry.token).sid ?? null
    entry.verify = (await call(base, 'POST', '/api/token/verify/', { token: entry.token })).status
    if (entry.type === 'access')
      entry.hello = (await call(base, 'GET', '/api/hello/', undefined, entry.token)).status
  }
  await server.stop()
  return { users, tokens, mfa, now: Math.floor(Date.now() / 1000) }
}
