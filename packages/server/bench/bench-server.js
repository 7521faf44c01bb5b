// Helpers of revoked-bench.js: start `tessera serve` children on their own SQLite data dirs,
// seed revoked access tokens, sign test tokens with the server's HS256 secret, and HTTP calls.
import { spawn, spawnSync } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'

/** The built CLI, as `npx tessera` runs it. */
export const CLI_PATH = fileURLToPath(new URL('../dist/cli.js', import.meta.url))

/** Exits with a clear message when the server has not been built. */
export function requireBuiltCli() {
  if (!existsSync(CLI_PATH)) {
    process.stderr.write(
      `${CLI_PATH} is missing: the bench runs the built server. Build first, from the ` +
        'repository root, with: npx tsc -b\n',
    )
    process.exit(1)
  }
}

/** The parent's environment without TESSERA_* variables, plus the bench's. */
function serverEnv(dataDir, signingKey) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TESSERA_')),
  )
  return {
    ...clean,
    TESSERA_DATA_DIR: dataDir,
    TESSERA_SIGNING_KEY: signingKey,
    TESSERA_LOG_LEVEL: 'warn',
  }
}

/** A fresh data dir and a 64-char random HS256 secret, for one server. */
export function newInstance(name) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `tessera-bench-${name}-`))
  return { name, dataDir, signingKey: randomBytes(48).toString('base64url') }
}

/** Runs `tessera migrate` on the instance's data dir (creates the SQLite file and tables). */
export function migrate(instance) {
  const run = spawnSync(process.execPath, [CLI_PATH, 'migrate'], {
    env: serverEnv(instance.dataDir, instance.signingKey),
    encoding: 'utf8',
  })
  if (run.status !== 0) {
    throw new Error(`tessera migrate failed (${run.status}):\n${run.stdout}${run.stderr}`)
  }
}

/**
 * Inserts `count` revoked access tokens (random 22-char base64url jtis, random user ids,
 * expiries 1 to 2 hours ahead, spread over the seconds) into revoked_access_tokens, in one
 * transaction. Returns a few of the jtis, to check the server refuses them.
 */
export function seedRevokedTokens(instance, count) {
  const db = new Database(path.join(instance.dataDir, 'tessera.sqlite3'))
  try {
    const insert = db.prepare(
      'INSERT INTO revoked_access_tokens (jti, user_id, expires_at, created_at) VALUES (?, ?, ?, ?)',
    )
    const now = Math.floor(Date.now() / 1000)
    const samples = []
    const sampleEvery = Math.max(1, Math.floor(count / 4))
    db.transaction(() => {
      for (let i = 0; i < count; i++) {
        const jti = randomBytes(16).toString('base64url')
        const userId = String(1 + Math.floor(Math.random() * 100_000))
        insert.run(jti, userId, now + 3600 + (i % 3600), now)
        if (i % sampleEvery === 0 || i === count - 1) samples.push(jti)
      }
    })()
    const rows = db.prepare('SELECT count(*) AS n FROM revoked_access_tokens').get().n
    if (rows !== count) throw new Error(`seeded ${rows} revoked tokens, expected ${count}`)
    return samples
  } finally {
    db.close()
  }
}

/** Resident set size of a process in bytes (Linux /proc), or undefined elsewhere. */
export function rssOf(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match === null ? undefined : Number(match[1]) * 1024
  } catch {
    return undefined
  }
}

const running = new Set()
process.on('exit', () => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL')
})

/**
 * Starts `tessera serve --port 0` for the instance and resolves once it printed its URL, with
 * the milliseconds from spawn to that line.
 */
export async function startServer(instance, timeoutMs = 120_000) {
  const started = performance.now()
  const child = spawn(process.execPath, [CLI_PATH, 'serve', '--port', '0'], {
    env: serverEnv(instance.dataDir, instance.signingKey),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  running.add(child)
  let output = ''
  child.stderr.on('data', (chunk) => {
    output += chunk
  })
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${instance.name}: serve did not start:\n${output}`)),
      timeoutMs,
    )
    child.stdout.on('data', (chunk) => {
      output += chunk
      const match = /Tessera \S+ listening on (http:\/\/\S+)/.exec(output)
      if (match?.[1] !== undefined) {
        clearTimeout(timer)
        resolve(match[1])
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${instance.name}: serve exited with ${code}:\n${output}`))
    })
  })
  const startupMs = performance.now() - started
  return {
    ...instance,
    url,
    child,
    startupMs,
    output: () => output,
    async stop() {
      running.delete(child)
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/** Removes a data dir (best effort). */
export function removeDataDir(instance) {
  rmSync(instance.dataDir, { recursive: true, force: true })
}

/** One HTTP request with a JSON body; resolves to { status, body }. */
export function request(url, { method = 'GET', body, headers = {}, agent } = {}) {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body)
    const req = http.request(
      url,
      {
        method,
        agent,
        headers: {
          ...headers,
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        let text = ''
        res.setEncoding('utf8')
        res.on('data', (chunk) => {
          text += chunk
        })
        res.on('end', () => resolve({ status: res.statusCode, body: text }))
        res.on('error', reject)
      },
    )
    req.on('error', reject)
    req.end(payload)
  })
}

/** Registers one user and logs in once (the login throttle allows 5/min); returns the access. */
export async function registerAndLogin(server) {
  const credentials = {
    username: 'bench-user',
    password: `Bench-${randomBytes(12).toString('base64url')}`,
  }
  const registered = await request(`${server.url}/api/register/`, {
    method: 'POST',
    body: { ...credentials, email: 'bench@example.com', first_name: 'Bench', last_name: 'User' },
  })
  if (registered.status !== 201) {
    throw new Error(`${server.name}: register answered ${registered.status}: ${registered.body}`)
  }
  const login = await request(`${server.url}/api/token/`, { method: 'POST', body: credentials })
  if (login.status !== 200) {
    throw new Error(`${server.name}: login answered ${login.status}: ${login.body}`)
  }
  const { access } = JSON.parse(login.body)
  const claims = JSON.parse(Buffer.from(access.split('.')[1], 'base64url').toString('utf8'))
  return { access, userId: claims.user_id }
}

/** An HS256 access token signed with the server's secret (kid-less, as simplejwt mints them). */
export function signAccessToken(signingKey, { jti, userId }) {
  const iat = Math.floor(Date.now() / 1000)
  const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')
  const input = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({
    token_type: 'access',
    exp: iat + 300,
    iat,
    jti,
    user_id: userId,
  })}`
  const signature = createHmac('sha256', Buffer.from(signingKey, 'utf8'))
    .update(input)
    .digest('base64url')
  return `${input}.${signature}`
}

/** GET /api/hello/ with a bearer token; resolves to the status code. */
export async function helloStatus(server, token) {
  const res = await request(`${server.url}/api/hello/`, {
    headers: { authorization: `Bearer ${token}` },
  })
  return res.status
}
