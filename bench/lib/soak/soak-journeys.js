// The soak's mixed load: journeys a real user makes, each on a user the virtual user owns alone
// (so the ledger knows exactly which tokens must work and which must be refused), each request
// sent to a random instance (a login on one, a refresh on the other, as behind a balancer).
import * as OTPAuth from 'otpauth'
import { decodeJwt } from '../jwt.js'
import { bearer } from './soak-client.js'
import { countJourney, endSessions, noteProblem } from './soak-ledger.js'

/** Live sessions kept per user before the oldest is logged out. */
const MAX_SESSIONS = 3
/** TOTP step (RFC 6238), in ms. */
const STEP_MS = 30_000
/** How long a reset waits for its mail to reach the SMTP sink. */
const MAIL_TIMEOUT_MS = 60_000

const post = (body, headers = {}) => ({ method: 'POST', body, headers })

function target(ctx) {
  return ctx.targets[Math.floor(ctx.random() * ctx.targets.length)]
}

/** A password Django's validators accept and nobody else has. */
const newPassword = (ctx) => `Soak-${Math.floor(ctx.random() * 1e12).toString(36)}-pw`

/** POST /api/register/: a new user owned by this virtual user. */
export async function register(ctx) {
  const n = ctx.nextUserNumber()
  const username = `soak${ctx.runId}u${n}`
  const user = {
    username,
    email: `${username}@example.com`,
    password: newPassword(ctx),
    sessions: [],
    mfa: undefined,
  }
  const body = { username, password: user.password, email: user.email }
  const answer = await ctx.call('register', `${target(ctx)}/api/register/`, post(body), [201])
  if (answer.status !== 201) return undefined
  user.id = String(answer.json.id)
  ctx.ledger.registered.push({ id: user.id, username })
  ctx.users.push(user)
  countJourney(ctx.ledger, 'register')
  return user
}

/** The TOTP step a second-factor login of `user` may use now, or undefined when none is left. */
function freeStep(user, now = Date.now()) {
  const current = Math.floor(now / STEP_MS)
  // A step the server accepts (one step of drift each way) and newer than the last one used;
  // never current - 1, which a step boundary crossed in flight would push out of the window.
  const step = Math.max(user.mfa.lastStep + 1, current)
  return step <= current + 1 ? step : undefined
}

/**
 * Whether `user` can log in right now: a second factor may have used up the TOTP steps the
 * server accepts (each is single-use), until the clock moves on. (A login in the same second as
 * a password reset's cut-off was refused until ac55159: this soak found it, and now checks it.)
 */
export function canLogIn(user, now = Date.now()) {
  return user.mfa === undefined || freeStep(user, now) !== undefined
}

/**
 * Logs `user` in (with the second factor when enrolled): a new session in the user's list and
 * the ledger, or undefined when an answer was not the expected one.
 */
export async function logIn(ctx, user) {
  const credentials = { username: user.username, password: user.password }
  let pair
  if (user.mfa === undefined) {
    const answer = await ctx.call('login', `${target(ctx)}/api/token/`, post(credentials), [200])
    if (answer.status !== 200) return undefined
    pair = answer.json
  } else {
    const step = freeStep(user)
    const first = await ctx.call(
      'login (mfa_required)',
      `${target(ctx)}/api/token/`,
      post(credentials),
      [401],
    )
    if (first.json?.code !== 'mfa_required') return undefined
    const code = user.mfa.totp.generate({ timestamp: step * STEP_MS })
    const answer = await ctx.call(
      'login (TOTP code)',
      `${target(ctx)}/api/token/mfa/`,
      post({ mfa_token: first.json.mfa_token, code }),
      [200],
    )
    if (answer.status !== 200) return undefined
    user.mfa.lastStep = step
    pair = answer.json
  }
  const session = {
    sid: decodeJwt(pair.refresh).claims.sid,
    refresh: pair.refresh,
    accesses: [pair.access],
  }
  ctx.ledger.sessions.push(session.sid)
  user.sessions.push(session)
  return session
}

/** GET /api/hello/ with the session's newest access token, on a random instance. */
export async function hello(ctx, session) {
  const access = session.accesses.at(-1)
  return ctx.call('hello', `${target(ctx)}/api/hello/`, { headers: bearer(access) }, [200])
}

/** POST /api/token/refresh/: the rotated pair replaces the session's refresh token. */
export async function refresh(ctx, session) {
  const answer = await ctx.call(
    'refresh',
    `${target(ctx)}/api/token/refresh/`,
    post({ refresh: session.refresh }),
    [200],
  )
  if (answer.status !== 200) return false
  session.refresh = answer.json.refresh
  // The access token before the refresh stays valid until the session ends: both are tracked.
  session.accesses.push(answer.json.access)
  return true
}

/** POST /api/token/blacklist/ with the access token sent along (revoked too). */
export async function logOut(ctx, user, session) {
  const answer = await ctx.call(
    'logout',
    `${target(ctx)}/api/token/blacklist/`,
    post({ refresh: session.refresh }, bearer(session.accesses.at(-1))),
    [200],
  )
  user.sessions.splice(user.sessions.indexOf(session), 1)
  // Refused from now on whatever the answer said: a failed logout is reported by its status.
  if (answer.status === 200) endSessions(ctx.ledger, [session], 'logout')
  return answer.status === 200
}

/** Login, hello, refresh, hello again; half the time a logout, else the session stays live. */
export async function sessionJourney(ctx, user) {
  const session = await logIn(ctx, user)
  if (session === undefined) return
  await hello(ctx, session)
  if (await refresh(ctx, session)) await hello(ctx, session)
  if (ctx.random() < 0.5 || user.sessions.length > MAX_SESSIONS) {
    await logOut(ctx, user, user.sessions[0])
  }
  countJourney(ctx.ledger, user.mfa === undefined ? 'session' : 'session (TOTP)')
}

/** A few authenticated requests on a live session: the hot path most traffic takes. */
export async function helloJourney(ctx, user) {
  const session = user.sessions.at(-1)
  if (session === undefined) return sessionJourney(ctx, user)
  for (let i = 0; i < 5; i++) await hello(ctx, session)
  countJourney(ctx.ledger, 'hello x5')
}

/** Turns TOTP on (setup with the password, confirm with a code computed here via otpauth). */
export async function enrolTotp(ctx, user) {
  const session = user.sessions.at(-1) ?? (await logIn(ctx, user))
  if (session === undefined) return
  const url = target(ctx)
  const auth = bearer(session.accesses.at(-1))
  const setup = await ctx.call(
    'TOTP setup',
    `${url}/api/mfa/totp/setup/`,
    post({ password: user.password }, auth),
    [200],
  )
  if (setup.status !== 200) return
  const totp = OTPAuth.URI.parse(setup.json.otpauth_uri)
  const step = Math.floor(Date.now() / STEP_MS)
  const confirm = await ctx.call(
    'TOTP confirm',
    `${target(ctx)}/api/mfa/totp/confirm/`,
    post({ code: totp.generate({ timestamp: step * STEP_MS }) }, auth),
    [200],
  )
  if (confirm.status !== 200) return
  user.mfa = { totp, lastStep: step }
  countJourney(ctx.ledger, 'TOTP enrolment')
}

/**
 * djoser's password reset: the request, the mail at the SMTP sink, the confirmation with the
 * mailed uid and token (every session of the user ends), then a login with the new password.
 */
export async function resetJourney(ctx, user) {
  const asked = await ctx.call(
    'reset_password',
    `${target(ctx)}/auth/users/reset_password/`,
    post({ email: user.email }),
    [204],
  )
  if (asked.status !== 204) return
  ctx.ledger.mailsOwed.push({ to: user.email, kind: 'password_reset' })
  const link = await ctx.mail.nextLink(user.email, MAIL_TIMEOUT_MS)
  if (link === undefined) {
    noteProblem(ctx.ledger, `no reset mail for ${user.email} within ${MAIL_TIMEOUT_MS / 1000} s`)
    return
  }
  const password = newPassword(ctx)
  const confirmed = await ctx.call(
    'reset_password_confirm',
    `${target(ctx)}/auth/users/reset_password_confirm/`,
    post({ ...link, new_password: password }),
    [204],
  )
  if (confirmed.status !== 204) return
  user.password = password
  endSessions(ctx.ledger, user.sessions, 'password reset')
  user.sessions = []
  if (canLogIn(user) && (await logIn(ctx, user)) !== undefined) {
    await hello(ctx, user.sessions.at(-1))
  }
  countJourney(ctx.ledger, 'password reset')
}
