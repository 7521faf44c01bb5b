// @tessera/client against the original: runs one scenario with the SDK in bearer mode against the
// reference Django + DRF + simplejwt server (../shared/reference/simplejwt/run.sh) and against
// Tessera (`tessera serve`, built packages): login, a fetch that refreshes on 401 (rotation),
// 20 concurrent 401s sharing one refresh, reuse refused, logout, and onSessionEnd when the refresh
// is refused. A frontend team still on Django can adopt the SDK first.
// Run: npm run compat:client     (exit 1 when a step fails on either server)
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
    `npm run compat:client needs the reference simplejwt server, not found at ${referenceDir}: ` +
      "it lives in the team's ../shared directory beside the repository, which a plain clone " +
      'does not have. Set COMPAT_REFERENCE_DIR to where it is.',
  )
  process.exit(2)
}
const { createClient, memoryStorage } = await import(join(root, 'packages/client/dist/index.js'))
const REF_PORT = Number(process.env.COMPAT_REF_PORT ?? 8720)
const TESSERA_PORT = Number(process.env.COMPAT_TESSERA_PORT ?? 8721)
const PASSWORD = 'correct horse battery'

/** The scenario against one server; returns the failed checks. */
async function scenario(baseUrl) {
  const failures = []
  const check = (name, ok, detail = '') => {
    process.stdout.write(`  ${ok ? 'ok  ' : 'FAIL'} ${name}${ok ? '' : ` ${detail}`}\n`)
    if (!ok) failures.push(name)
  }
  let refreshes = 0
  const counted = (input, init) => {
    const url = input instanceof Request ? input.url : String(input)
    if (url.endsWith('/api/token/refresh/')) refreshes += 1
    return fetch(input, init)
  }
  const username = `peter${Date.now().toString(36)}`
  const storage = memoryStorage()
  const ended = []
  const client = createClient({
    baseUrl,
    storage,
    fetch: counted,
    onSessionEnd: (reason) => ended.push(reason),
  })
  await client.register({
    username,
    password: PASSWORD,
    first_name: 'Peter',
    last_name: 'Parker',
    email: 'peter@example.com',
  })
  const login = await client.login({ username, password: PASSWORD })
  check('login', login.mfaRequired === false && typeof storage.get()?.refresh === 'string')
  const hello = await client.fetch('/api/hello/')
  const body = await hello.json()
  check(
    'fetch with the bearer',
    hello.status === 200 && body.msg === 'Hello Peter Parker',
    JSON.stringify(body),
  )

  const first = storage.get()
  storage.set({ ...first, access: 'not-a-token' })
  const retried = await client.fetch('/api/hello/')
  check(
    'a 401 refreshes once and retries',
    retried.status === 200 && refreshes === 1,
    `${retried.status} ${refreshes}`,
  )
  check('the refresh token rotated', storage.get()?.refresh !== first.refresh)
  const reuse = await fetch(`${baseUrl}/api/token/refresh/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh: first.refresh }),
  })
  check('the rotated-away refresh token is refused', reuse.status === 401, String(reuse.status))

  // Tessera's reuse detection ended the family above (RFC 9700); sign in again for the rest.
  await client.login({ username, password: PASSWORD })
  storage.set({ ...storage.get(), access: 'not-a-token' })
  refreshes = 0
  const many = await Promise.all(Array.from({ length: 20 }, () => client.fetch('/api/hello/')))
  check(
    '20 concurrent 401s share one refresh',
    many.every((answer) => answer.status === 200) && refreshes === 1,
    `${many.map((answer) => answer.status).join(',')} refreshes=${refreshes}`,
  )

  const before = storage.get()
  await client.logout()
  const afterLogout = await fetch(`${baseUrl}/api/token/refresh/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh: before.refresh }),
  })
  check('logout revokes the refresh token', afterLogout.status === 401 && !client.signedIn)

  await client.login({ username, password: PASSWORD })
  const session = storage.get()
  await fetch(`${baseUrl}/api/token/blacklist/`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ refresh: session.refresh }),
  })
  storage.set({ ...session, access: 'not-a-token' })
  const refused = await client.fetch('/api/hello/')
  check(
    'a refused refresh ends the session: onSessionEnd',
    refused.status === 401 && ended.join() === 'refresh_failed' && !client.signedIn,
    `${refused.status} ${ended.join()}`,
  )
  client.close()
  return failures
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

const refDir = mkdtempSync(join(tmpdir(), 'tessera-compat-client-ref-'))
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-compat-client-'))
const env = { ...process.env, REF_PORT: String(REF_PORT), REF_DIR: refDir }
const started = spawnSync(join(referenceDir, 'run.sh'), { env, stdio: 'inherit' })
if (started.status !== 0) throw new Error('the reference server did not start')
const tessera = spawn(
  process.execPath,
  [join(root, 'packages/server/dist/cli.js'), 'serve', '--port', String(TESSERA_PORT)],
  {
    env: { ...process.env, TESSERA_DATA_DIR: dataDir, TESSERA_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  },
)
let failed = 0
try {
  await waitFor(`http://127.0.0.1:${TESSERA_PORT}/healthz`)
  for (const [name, url] of [
    ['reference simplejwt', `http://127.0.0.1:${REF_PORT}`],
    ['tessera', `http://127.0.0.1:${TESSERA_PORT}`],
  ]) {
    process.stdout.write(`${name} (${url})\n`)
    failed += (await scenario(url)).length
  }
} finally {
  tessera.kill('SIGTERM')
  spawnSync(join(referenceDir, 'run.sh'), ['stop'], { env, stdio: 'inherit' })
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(refDir, { recursive: true, force: true })
}
process.stdout.write(failed === 0 ? '\nthe SDK works against both\n' : `\n${failed} failed\n`)
process.exit(failed === 0 ? 0 : 1)
