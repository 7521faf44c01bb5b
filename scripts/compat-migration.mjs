// Moving from Django, live: the reference Django + simplejwt server
// (../shared/reference/simplejwt/run.sh) and Tessera on one signing key. A user registers and
// logs in on Django; `tessera import-django` reads Django's database (as a re-run during the
// move would); Tessera then accepts Django's access token, refreshes Django's refresh token
// (rotating it into a Tessera session) and logs out, after which Tessera refuses that session
// at once. Django does not hear Tessera's logout: see docs/migrating-from-django.md.
// Run: npm run compat:migration     (exit 1 when a step fails)
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const referenceDir =
  process.env.COMPAT_REFERENCE_DIR ?? join(root, '..', 'shared', 'reference', 'simplejwt')
if (!existsSync(join(referenceDir, 'run.sh'))) {
  console.error(
    `npm run compat:migration needs the reference simplejwt server, not found at ${referenceDir}: ` +
      "it lives in the team's ../shared directory beside the repository, which a plain clone " +
      'does not have. Set COMPAT_REFERENCE_DIR to where it is.',
  )
  process.exit(2)
}
const SIGNING_KEY = 'reference-signing-key-0123456789abcdef0123456789'
const REF_PORT = Number(process.env.COMPAT_REF_PORT ?? 8730)
const TESSERA_PORT = Number(process.env.COMPAT_TESSERA_PORT ?? 8731)
const CLI = join(root, 'packages/server/dist/cli.js')
const refDir = mkdtempSync(join(tmpdir(), 'tessera-compat-migration-ref-'))
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-compat-migration-'))
const refEnv = {
  ...process.env,
  REF_PORT: String(REF_PORT),
  REF_DIR: refDir,
  REF_SIGNING_KEY: SIGNING_KEY,
}
const tesseraEnv = {
  ...process.env,
  TESSERA_SIGNING_KEY: SIGNING_KEY,
  TESSERA_DATA_DIR: dataDir,
  TESSERA_LOG_LEVEL: 'warn',
}

let failed = 0
function check(name, ok, detail = '') {
  process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : ` ${detail}`}\n`)
  if (!ok) failed += 1
}

async function post(base, path, body, headers = {}) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  const text = await response.text()
  return { status: response.status, body: text === '' ? {} : JSON.parse(text) }
}

async function waitFor(url) {
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      if ((await fetch(url)).ok) return
    } catch {
      // not up yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`${url} did not come up`)
}

if (spawnSync(join(referenceDir, 'run.sh'), { env: refEnv, stdio: 'inherit' }).status !== 0) {
  throw new Error('the reference server did not start')
}
let tessera
try {
  const django = `http://127.0.0.1:${REF_PORT}`
  const user = { username: `moving${Date.now().toString(36)}`, password: 'correct horse battery' }
  const registered = await post(django, '/api/register/', {
    ...user,
    first_name: 'Peter',
    last_name: 'Parker',
    email: 'peter@example.com',
  })
  check('register on Django', registered.status === 201, JSON.stringify(registered.body))
  const pair = (await post(django, '/api/token/', user)).body
  check('log in on Django', typeof pair.refresh === 'string')

  const imported = spawnSync(
    process.execPath,
    [CLI, 'import-django', '--from', join(refDir, 'ref.sqlite3')],
    {
      env: tesseraEnv,
      encoding: 'utf8',
    },
  )
  process.stdout.write(`${imported.stdout.trimEnd().replace(/^/gm, '    ')}\n`)
  check('import-django', imported.status === 0, imported.stderr)

  tessera = spawn(process.execPath, [CLI, 'serve', '--port', String(TESSERA_PORT)], {
    env: tesseraEnv,
    stdio: ['ignore', 'ignore', 'inherit'],
  })
  const base = `http://127.0.0.1:${TESSERA_PORT}`
  await waitFor(`${base}/healthz`)
  const hello = await fetch(`${base}/api/hello/`, {
    headers: { authorization: `Bearer ${pair.access}` },
  })
  const helloBody = await hello.json()
  check(
    "Tessera accepts Django's access token",
    hello.status === 200 && helloBody.msg === 'Hello Peter Parker',
    JSON.stringify(helloBody),
  )
  const refreshed = await post(base, '/api/token/refresh/', { refresh: pair.refresh })
  check(
    "Tessera refreshes Django's refresh token",
    refreshed.status === 200 && typeof refreshed.body.refresh === 'string',
    JSON.stringify(refreshed.body),
  )
  const loggedOut = await post(
    base,
    '/api/token/blacklist/',
    { refresh: refreshed.body.refresh },
    {
      authorization: `Bearer ${refreshed.body.access}`,
    },
  )
  check('log out on Tessera', loggedOut.status === 200, JSON.stringify(loggedOut.body))
  const after = await post(base, '/api/token/refresh/', { refresh: refreshed.body.refresh })
  check('Tessera refuses the session at once', after.status === 401, JSON.stringify(after.body))
  const original = await post(base, '/api/token/refresh/', { refresh: pair.refresh })
  check(
    "Tessera refuses Django's rotated-away token too",
    original.status === 401,
    JSON.stringify(original.body),
  )
} finally {
  tessera?.kill('SIGTERM')
  spawnSync(join(referenceDir, 'run.sh'), ['stop'], { env: refEnv, stdio: 'inherit' })
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(refDir, { recursive: true, force: true })
}
process.stdout.write(failed === 0 ? '\nthe move works\n' : `\n${failed} failed\n`)
process.exit(failed === 0 ? 0 : 1)
