// Differential check against the original: starts the reference Django + DRF + simplejwt server
// (../shared/reference/simplejwt/run.sh) and Tessera (`tessera serve`, built packages) with the
// same SIGNING_KEY, runs one scenario against both, and diffs statuses and bodies with tokens
// masked: the simplejwt routes and djoser's (/auth/, links read from both servers' mail files).
// Differences are either bugs or listed as deliberate in README.md ("Compatibility", "Mail").
// Run: npm run compat            (exit 1 on an unexplained difference)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
// The reference is one of the team's instruments in ../shared, which a plain clone does not have.
const referenceDir =
  process.env.COMPAT_REFERENCE_DIR ?? join(root, '..', 'shared', 'reference', 'simplejwt')
if (!existsSync(join(referenceDir, 'run.sh'))) {
  console.error(
    `npm run compat needs the reference simplejwt server, not found at ${referenceDir}: it lives ` +
      "in the team's ../shared directory beside the repository, which a plain clone does not " +
      'have. Set COMPAT_REFERENCE_DIR to where it is.',
  )
  process.exit(2)
}
const SIGNING_KEY = 'reference-signing-key-0123456789abcdef0123456789'
const REF_PORT = Number(process.env.COMPAT_REF_PORT ?? 8710)
const TESSERA_PORT = Number(process.env.COMPAT_TESSERA_PORT ?? 8711)
const run = `${Date.now().toString(36)}`

// Differences we keep on purpose (see README "Compatibility"); keyed by step name.
const SPLIT_MESSAGES =
  'simplejwt 5.2 says "Token is invalid or expired"; Tessera gives the split messages of ' +
  'simplejwt 5.3+ and the contract ("Token is invalid" / "Token is expired")'
const DELIBERATE = {
  'register ok': 'Tessera answers the created user (api-contract.md), the reference a message',
  'hello garbage token': SPLIT_MESSAGES,
  'verify garbage': SPLIT_MESSAGES,
  'blacklist ok':
    'reuse detection (RFC 9700 4.14.2): presenting a rotated-away refresh token revoked its ' +
    'whole family, so its successor is refused too; simplejwt only refuses the reused token',
  'unknown path': 'Django answers its HTML 404 outside DRF views; the contract asks for DRF JSON',
  'obtain password with spaces around':
    'passwords are never trimmed: DRF strips them (at registration and at login), which ' +
    'silently changes the secret; Tessera takes them as sent, so only the registered string logs in',
}

// djoser's routes (/auth/): the same requests; links are read from each server's mail files.
const VALIDATORS =
  "Tessera applies Django's password validators by default (too short, common, numeric, similar); " +
  'the reference project configures none (AUTH_PASSWORD_VALIDATORS is empty)'
Object.assign(DELIBERATE, {
  'djoser create weak password': VALIDATORS,
  'djoser reset confirm weak': VALIDATORS,
  'djoser jwt verify garbage': SPLIT_MESSAGES,
  'djoser wrong method':
    "on a method a djoser action does not have, DRF checks the viewset's default permission " +
    'first (401 when anonymous); Tessera answers 405, as on every route',
})
Object.assign(DELIBERATE, {
  'activation: resend unknown':
    'djoser 2.1 answers a bare 400 for an address without an inactive account (enumeration); ' +
    'djoser 2.2.1+ and Tessera answer 204 for every address',
})
const DJ = `dj${run}`
const djoserSteps = [
  [
    'djoser create ok',
    'POST',
    '/auth/users/',
    { username: DJ, email: `${DJ}@example.com`, password: 'correct horse battery' },
  ],
  [
    'djoser create duplicate',
    'POST',
    '/auth/users/',
    { username: DJ, email: `${DJ}@example.com`, password: 'correct horse battery' },
  ],
  ['djoser create missing', 'POST', '/auth/users/', {}],
  ['djoser create weak password', 'POST', '/auth/users/', { username: `${DJ}w`, password: '123' }],
  [
    'djoser jwt create ok',
    'POST',
    '/auth/jwt/create/',
    { username: DJ, password: 'correct horse battery' },
    (s, b) => (s.dj = b),
  ],
  ['djoser jwt create wrong', 'POST', '/auth/jwt/create/', { username: DJ, password: 'nope nope' }],
  ['djoser jwt create missing', 'POST', '/auth/jwt/create/', {}],
  ['djoser jwt verify', 'POST', '/auth/jwt/verify/', (s) => ({ token: s.dj.access })],
  ['djoser jwt verify garbage', 'POST', '/auth/jwt/verify/', { token: 'abc' }],
  ['djoser me anonymous', 'GET', '/auth/users/me/'],
  ['djoser me', 'GET', '/auth/users/me/', undefined, null, (s) => `Bearer ${s.dj.access}`],
  [
    'djoser me patch email',
    'PATCH',
    '/auth/users/me/',
    { email: `new${DJ}@example.com` },
    null,
    (s) => `Bearer ${s.dj.access}`,
  ],
  [
    'djoser me patch bad email',
    'PATCH',
    '/auth/users/me/',
    { email: 'nope' },
    null,
    (s) => `Bearer ${s.dj.access}`,
  ],
  ['djoser users list', 'GET', '/auth/users/', undefined, null, (s) => `Bearer ${s.dj.access}`],
  [
    'djoser set_password missing',
    'POST',
    '/auth/users/set_password/',
    {},
    null,
    (s) => `Bearer ${s.dj.access}`,
  ],
  [
    'djoser set_password wrong current',
    'POST',
    '/auth/users/set_password/',
    { current_password: 'nope nope', new_password: 'another staple 2026' },
    null,
    (s) => `Bearer ${s.dj.access}`,
  ],
  [
    'djoser set_username taken',
    'POST',
    '/auth/users/set_username/',
    { current_password: 'correct horse battery', new_username: `peter${run}` },
    null,
    (s) => `Bearer ${s.dj.access}`,
  ],
  [
    'djoser delete me wrong password',
    'DELETE',
    '/auth/users/me/',
    { current_password: 'nope nope' },
    null,
    (s) => `Bearer ${s.dj.access}`,
  ],
  ['djoser reset_password missing', 'POST', '/auth/users/reset_password/', {}],
  ['djoser reset_password invalid', 'POST', '/auth/users/reset_password/', { email: 'nope' }],
  [
    'djoser reset_password unknown',
    'POST',
    '/auth/users/reset_password/',
    { email: `nobody${run}@example.com` },
  ],
  [
    'djoser reset_password known',
    'POST',
    '/auth/users/reset_password/',
    { email: `new${DJ}@example.com` },
  ],
  ['MAIL', 'password/reset/confirm'],
  ['djoser reset confirm missing', 'POST', '/auth/users/reset_password_confirm/', {}],
  [
    'djoser reset confirm bad uid',
    'POST',
    '/auth/users/reset_password_confirm/',
    { uid: 'xx', token: 'x', new_password: 'another staple 2026' },
  ],
  [
    'djoser reset confirm bad token',
    'POST',
    '/auth/users/reset_password_confirm/',
    (s) => ({ uid: s.link.uid, token: 'abc-123', new_password: 'another staple 2026' }),
  ],
  [
    'djoser reset confirm ok',
    'POST',
    '/auth/users/reset_password_confirm/',
    (s) => ({ ...s.link, new_password: 'another staple 2026' }),
  ],
  [
    'djoser reset confirm reuse',
    'POST',
    '/auth/users/reset_password_confirm/',
    (s) => ({ ...s.link, new_password: 'a third password 77' }),
  ],
  [
    // After the reuse: on the reference (no validators) it would consume the link.
    'djoser reset confirm weak',
    'POST',
    '/auth/users/reset_password_confirm/',
    (s) => ({ ...s.link, new_password: '123' }),
  ],
  [
    'djoser jwt create new password',
    'POST',
    '/auth/jwt/create/',
    { username: DJ, password: 'another staple 2026' },
  ],
  ['djoser activation bad uid', 'POST', '/auth/users/activation/', { uid: 'xx', token: 'x' }],
  ['djoser activation missing', 'POST', '/auth/users/activation/', {}],
  [
    'djoser resend_activation (activation off)',
    'POST',
    '/auth/users/resend_activation/',
    { email: `${DJ}@example.com` },
  ],
  [
    'djoser reset_username unknown',
    'POST',
    '/auth/users/reset_username/',
    { email: `x${run}@example.com` },
  ],
  ['djoser wrong method', 'GET', '/auth/users/activation/'],
]

/** The `{uid, token}` of the newest message in `dir` whose link goes to `path`. */
function newestLink(dir, path) {
  const files = readdirSync(dir)
    .map((name) => join(dir, name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  for (const file of files) {
    const match = new RegExp(`#/${path}/([A-Za-z0-9_-]+)/([A-Za-z0-9_.-]+)`).exec(
      readFileSync(file, 'utf8').replace(/=\r?\n/g, ''),
    )
    if (match) return { uid: match[1], token: match[2] }
  }
  throw new Error(`no ${path} link in ${dir}`)
}

const steps = [
  [
    'register ok',
    'POST',
    '/api/register/',
    {
      username: `peter${run}`,
      password: 'correct horse battery',
      first_name: 'Peter',
      last_name: 'Parker',
      email: 'peter@example.com',
    },
  ],
  [
    'register duplicate',
    'POST',
    '/api/register/',
    { username: `peter${run}`, password: 'correct horse battery' },
  ],
  ['register missing fields', 'POST', '/api/register/', {}],
  ['obtain missing fields', 'POST', '/api/token/', {}],
  ['obtain blank password', 'POST', '/api/token/', { username: `peter${run}`, password: '' }],
  [
    'obtain wrong password',
    'POST',
    '/api/token/',
    { username: `peter${run}`, password: 'wrong password' },
  ],
  [
    'obtain unknown user',
    'POST',
    '/api/token/',
    { username: `nobody${run}`, password: 'whatever' },
  ],
  [
    'obtain ok',
    'POST',
    '/api/token/',
    { username: `peter${run}`, password: 'correct horse battery' },
    (s, b) => (s.pair = b),
  ],
  [
    'obtain form body',
    'FORM',
    '/api/token/',
    { username: `peter${run}`, password: 'correct horse battery' },
  ],
  // Text no store holds as given, and whitespace in passwords.
  ['obtain nul username', 'POST', '/api/token/', { username: `pe\u0000ter${run}`, password: 'x' }],
  [
    'obtain nul password',
    'POST',
    '/api/token/',
    { username: `peter${run}`, password: 'correct\u0000horse' },
  ],
  [
    'obtain lone surrogate',
    'POST',
    '/api/token/',
    { username: `peter${run}\ud800`, password: 'x' },
  ],
  [
    'obtain whitespace-only password',
    'POST',
    '/api/token/',
    { username: `peter${run}`, password: '          ' },
  ],
  [
    'obtain password with spaces around',
    'POST',
    '/api/token/',
    { username: `peter${run}`, password: ' correct horse battery ' },
  ],
  [
    'register nul username',
    'POST',
    '/api/register/',
    { username: `pe\u0000ter${run}`, password: 'correct horse battery' },
  ],
  [
    'register nul email and name',
    'POST',
    '/api/register/',
    {
      username: `mj${run}`,
      password: 'correct horse battery',
      email: 'mj\u0000@example.com',
      first_name: 'M\u0000J',
    },
  ],
  [
    'register whitespace-only password',
    'POST',
    '/api/register/',
    { username: `blank${run}`, password: '          ' },
  ],
  ['refresh nul', 'POST', '/api/token/refresh/', { refresh: 'eyJ\u0000' }],
  ['verify lone surrogate', 'POST', '/api/token/verify/', { token: 'eyJ\udc00' }],
  ['blacklist nul', 'POST', '/api/token/blacklist/', { refresh: '\u0000' }],
  ['obtain wrong method', 'GET', '/api/token/'],
  ['hello anonymous', 'GET', '/api/hello/'],
  ['hello ok', 'GET', '/api/hello/', undefined, null, (s) => `Bearer ${s.pair.access}`],
  [
    'hello no trailing slash',
    'GET',
    '/api/hello',
    undefined,
    null,
    (s) => `Bearer ${s.pair.access}`,
  ],
  ['hello garbage token', 'GET', '/api/hello/', undefined, null, () => 'Bearer abc.def.ghi'],
  ['hello bearer without value', 'GET', '/api/hello/', undefined, null, () => 'Bearer'],
  [
    'hello refresh as access',
    'GET',
    '/api/hello/',
    undefined,
    null,
    (s) => `Bearer ${s.pair.refresh}`,
  ],
  ['hello other scheme', 'GET', '/api/hello/', undefined, null, () => 'Basic Zm9vOmJhcg=='],
  ['verify access', 'POST', '/api/token/verify/', (s) => ({ token: s.pair.access })],
  ['verify garbage', 'POST', '/api/token/verify/', { token: 'abc' }],
  ['verify missing', 'POST', '/api/token/verify/', {}],
  ['refresh with access', 'POST', '/api/token/refresh/', (s) => ({ refresh: s.pair.access })],
  [
    'refresh ok',
    'POST',
    '/api/token/refresh/',
    (s) => ({ refresh: s.pair.refresh }),
    (s, b) => (s.rotated = b),
  ],
  ['refresh reused', 'POST', '/api/token/refresh/', (s) => ({ refresh: s.pair.refresh })],
  ['verify rotated-away refresh', 'POST', '/api/token/verify/', (s) => ({ token: s.pair.refresh })],
  ['blacklist ok', 'POST', '/api/token/blacklist/', (s) => ({ refresh: s.rotated.refresh })],
  ['blacklist again', 'POST', '/api/token/blacklist/', (s) => ({ refresh: s.rotated.refresh })],
  [
    'refresh after blacklist',
    'POST',
    '/api/token/refresh/',
    (s) => ({ refresh: s.rotated.refresh }),
  ],
  ['unknown path', 'GET', '/api/nope/'],
  ['unsupported media type', 'RAW', '/api/token/', 'hello', null, null, 'text/plain'],
  ['broken json', 'RAW', '/api/token/', '{"username":', null, null, 'application/json'],
  ...djoserSteps,
]

// Tokens differ by nature; user ids by how many users each database made before.
const mask = (text) =>
  text.replace(/eyJ[\w-]+\.[\w-]+\.[\w-]+/g, '<token>').replace(/"id":\d+/g, '"id":<id>')

async function call(base, state, [name, method, path, body, capture, auth, contentType]) {
  const headers = {}
  const authorization = typeof auth === 'function' ? auth(state) : undefined
  if (authorization) headers.authorization = authorization
  let payload
  const value = typeof body === 'function' ? body(state) : body
  if (method === 'FORM') {
    headers['content-type'] = 'application/x-www-form-urlencoded'
    payload = new URLSearchParams(value).toString()
  } else if (method === 'RAW') {
    headers['content-type'] = contentType
    payload = value
  } else if (value !== undefined) {
    headers['content-type'] = 'application/json'
    payload = JSON.stringify(value)
  }
  const httpMethod = method === 'FORM' || method === 'RAW' ? 'POST' : method
  const response = await fetch(`${base}${path}`, { method: httpMethod, headers, body: payload })
  const text = await response.text()
  if (capture && response.ok) capture(state, JSON.parse(text))
  return {
    name,
    status: response.status,
    body: mask(text),
    challenge: response.headers.get('www-authenticate'),
    retryAfter: response.headers.get('retry-after'),
  }
}

async function waitFor(url) {
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url)
      return
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  throw new Error(`${url} did not come up`)
}

/**
 * Starts the reference and Tessera with the same key (and `extra` settings on each), runs
 * `steps` against both, prints the comparison, stops both; resolves to the unexplained count.
 */
async function runPass(label, steps, { refEnv = {}, tesseraEnv = {} } = {}) {
  process.stdout.write(`\n== ${label}\n`)
  const refDir = mkdtempSync(join(tmpdir(), 'tessera-compat-ref-'))
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-compat-'))
  const tesseraMail = join(dataDir, 'mail')
  const env = {
    ...process.env,
    REF_PORT: String(REF_PORT),
    REF_DIR: refDir,
    REF_SIGNING_KEY: SIGNING_KEY,
    ...refEnv,
  }
  const started = spawnSync(join(referenceDir, 'run.sh'), { env, stdio: 'inherit' })
  if (started.status !== 0) throw new Error('the reference server did not start')
  const tessera = spawn(
    process.execPath,
    [join(root, 'packages/server/dist/cli.js'), 'serve', '--port', String(TESSERA_PORT)],
    {
      env: {
        ...process.env,
        TESSERA_SIGNING_KEY: SIGNING_KEY,
        TESSERA_DATA_DIR: dataDir,
        TESSERA_LOG_LEVEL: 'warn',
        // As the reference: mail as files, its domain and site name; no registration throttle.
        TESSERA_EMAIL_BACKEND: 'file',
        TESSERA_EMAIL_FILE_PATH: tesseraMail,
        TESSERA_DOMAIN: 'localhost:5173',
        TESSERA_SITE_NAME: 'Reference',
        TESSERA_THROTTLE_REGISTER: 'off',
        // set_password, set_username and DELETE me cost a hash and count as logins: the
        // reference has no throttle, the scenario makes more than 5 a minute.
        TESSERA_THROTTLE_LOGIN_USERNAME: '100/min',
        ...tesseraEnv,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  )
  let unexplained = 0
  try {
    await waitFor(`http://127.0.0.1:${TESSERA_PORT}/healthz`)
    const refState = {}
    const tesseraState = {}
    const rows = []
    for (const step of steps) {
      if (step[0] === 'MAIL') {
        // Tessera writes the message after its answer: give its sender a moment.
        await new Promise((resolve) => setTimeout(resolve, 1000))
        refState.link = newestLink(join(refDir, 'mail'), step[1])
        tesseraState.link = newestLink(tesseraMail, step[1])
        continue
      }
      const a = await call(`http://127.0.0.1:${REF_PORT}`, refState, step)
      const b = await call(`http://127.0.0.1:${TESSERA_PORT}`, tesseraState, step)
      const same = a.status === b.status && a.body === b.body && a.challenge === b.challenge
      const note = same ? '' : (DELIBERATE[step[0]] ?? 'UNEXPLAINED')
      if (!same && note === 'UNEXPLAINED') unexplained++
      rows.push({ ...a, tessera: b, same, note })
    }
    for (const row of rows) {
      const mark = row.same ? 'same' : row.note === 'UNEXPLAINED' ? 'DIFF' : 'deliberate'
      process.stdout.write(`${mark.padEnd(10)} ${row.name}\n`)
      if (!row.same) {
        process.stdout.write(`  reference ${row.status} ${row.challenge ?? '-'} ${row.body}\n`)
        process.stdout.write(
          `  tessera   ${row.tessera.status} ${row.tessera.challenge ?? '-'} ${row.tessera.body}\n`,
        )
        if (row.note !== 'UNEXPLAINED') process.stdout.write(`  why: ${row.note}\n`)
      }
    }
    const same = rows.filter((row) => row.same).length
    process.stdout.write(
      `\n${same} same, ${rows.length - same - unexplained} deliberate, ${unexplained} unexplained of ${rows.length} steps\n`,
    )
  } finally {
    tessera.kill('SIGTERM')
    spawnSync(join(referenceDir, 'run.sh'), ['stop'], { env, stdio: 'inherit' })
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(refDir, { recursive: true, force: true })
  }
  return unexplained
}

// djoser with activation on (the reference's REF_ACTIVATION=1, Tessera's SEND_ACTIVATION_EMAIL).
const AC = `ac${run}`
const activationSteps = [
  [
    'activation: create',
    'POST',
    '/auth/users/',
    { username: AC, email: `${AC}@example.com`, password: 'correct horse battery' },
  ],
  [
    'activation: login before',
    'POST',
    '/auth/jwt/create/',
    { username: AC, password: 'correct horse battery' },
  ],
  ['MAIL', 'activate'],
  [
    'activation: bad token',
    'POST',
    '/auth/users/activation/',
    (s) => ({ uid: s.link.uid, token: 'abc-123' }),
  ],
  ['activation: resend unknown', 'POST', '/auth/users/resend_activation/', { email: 'no@x.io' }],
  ['activation: resend invalid', 'POST', '/auth/users/resend_activation/', { email: 'nope' }],
  ['activation: ok', 'POST', '/auth/users/activation/', (s) => s.link],
  ['activation: again', 'POST', '/auth/users/activation/', (s) => s.link],
  [
    'activation: login after',
    'POST',
    '/auth/jwt/create/',
    { username: AC, password: 'correct horse battery' },
  ],
]

let unexplained = await runPass('simplejwt and djoser', steps)
unexplained += await runPass('djoser with activation', activationSteps, {
  refEnv: { REF_ACTIVATION: '1' },
  tesseraEnv: { TESSERA_SEND_ACTIVATION_EMAIL: 'true' },
})
process.exit(unexplained === 0 ? 0 : 1)
