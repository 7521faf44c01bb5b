// Tessera as the bench runs it: the built CLI (`tessera migrate`, `tessera serve`) on a temp data
// dir seeded with 1,000 users through the store API, and access tokens signed like its own.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { PasswordHasher, usernameKey } from '@tessera/core'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'
import { expectResponse, request } from './http.js'
import { accessClaims, decodeJwt, signHs256 } from './jwt.js'
import { onCleanup, startChild, waitUntil } from './processes.js'

export const CLI_PATH = fileURLToPath(new URL('../../packages/server/dist/cli.js', import.meta.url))
/**
 * The `tessera` executable (packages/server/bin), which imports dist/cli.js: what `npx tessera`
 * runs. Its command line also keeps our servers out of a `pkill -f dist/cli.js` run by whoever
 * else benchmarks on this machine.
 */
const BIN_PATH = fileURLToPath(new URL('../../packages/server/bin/tessera.js', import.meta.url))
/** The peers' and the reference's default key: one key for every server of the bench. */
export const SIGNING_KEY = 'reference-signing-key-0123456789abcdef0123456789'
export const USER_COUNT = 1000
export const PASSWORD = 'Bench-Passw0rd-Parker'
export const HELLO_BODY = '{"msg":"Hello Peter Parker"}'

/** Exits with a clear message when the server has not been built. */
export function requireBuiltServer() {
  if (!existsSync(CLI_PATH)) {
    throw new Error(`${CLI_PATH} is missing: the bench runs the built server. Run: npm run build`)
  }
}

/**
 * The settings of a scenario whose load is logins from one address (login, storm, refresh):
 * Tessera's login throttles (5 a minute per username, 20 a minute per client IP) would refuse
 * the load itself. Every other setting stays at its default.
 */
export const LOGIN_LOAD_SETTINGS = Object.freeze({
  TESSERA_THROTTLE_LOGIN_USERNAME: 'off',
  TESSERA_THROTTLE_LOGIN_IP: 'off',
})

/**
 * "Logs off": `TESSERA_LOG_LEVEL=warn`, which leaves out every info line; at info the only
 * line a request writes is its access line, so this is the default minus the access log.
 */
export const LOGS_OFF_SETTINGS = Object.freeze({ TESSERA_LOG_LEVEL: 'warn' })

/**
 * "Metrics on": the default plus Prometheus metrics at /metrics (`METRICS_ON_API_PORT`; a
 * separate `METRICS_PORT` costs a request the same): each request is timed into a histogram.
 */
export const METRICS_ON_SETTINGS = Object.freeze({ TESSERA_METRICS_ON_API_PORT: 'true' })

/** How the other scenarios say Tessera's configuration. */
export const DEFAULT_NOTE =
  'Tessera runs as `tessera serve` starts: default settings, the access log on (stdout to a file).'

/** How the login-load scenarios say so in their markdown. */
export const LOGIN_LOAD_NOTE =
  'Tessera runs with its login throttles off (`TESSERA_THROTTLE_LOGIN_USERNAME=off`, ' +
  '`TESSERA_THROTTLE_LOGIN_IP=off`): their defaults, 5 logins a minute per username and 20 per ' +
  'client IP, would refuse this load, which comes from one address. Every other setting is ' +
  "`tessera serve`'s default, the access log included."

/**
 * The server's environment: the parent's without TESSERA_* (no stray config), the data dir and
 * the bench's signing key, plus `extra` (a scenario's own settings, e.g. LOGIN_LOAD_SETTINGS).
 * Everything else is `tessera serve`'s default: LOG_LEVEL info with the access log on, as a
 * user runs it.
 */
function serverEnv(instance, extra = {}) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TESSERA_')),
  )
  return {
    ...clean,
    TESSERA_DATA_DIR: instance.dataDir,
    TESSERA_SIGNING_KEY: SIGNING_KEY,
    ...(instance.databaseUrl === undefined ? {} : { TESSERA_DATABASE_URL: instance.databaseUrl }),
    ...extra,
  }
}

/** The one argon2id hash all seeded users share (computing 1,000 would take minutes). */
let sharedHash
const passwordHash = () => {
  sharedHash ??= new PasswordHasher().hash(PASSWORD)
  return sharedHash
}

/** `peter0001`... : the username of seeded user number `n` (1-based). */
export const username = (n) => `peter${String(n).padStart(4, '0')}`

/**
 * A fresh data dir (removed at clean-up), migrated by `tessera migrate`. With a `databaseUrl`
 * (PostgreSQL) the users are left to the caller; on SQLite, 1,000 users named Peter Parker are
 * inserted through the store API, all with the same password.
 */
export async function prepareInstance(name, { databaseUrl, seedUsers = true } = {}) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `tessera-bench-${name}-`))
  onCleanup(`${name} data dir`, () => rmSync(dataDir, { recursive: true, force: true }))
  const instance = { name, dataDir, databaseUrl, userIds: [] }
  const run = spawnSync(process.execPath, [BIN_PATH, 'migrate'], {
    env: serverEnv(instance),
    encoding: 'utf8',
  })
  if (run.status !== 0) throw new Error(`tessera migrate failed:\n${run.stdout}${run.stderr}`)
  if (databaseUrl === undefined && seedUsers) await insertUsers(instance)
  return instance
}

async function insertUsers(instance) {
  const database = await openSqliteDatabase(path.join(instance.dataDir, 'tessera.sqlite3'))
  try {
    const stores = await createSqliteStores({ database, migrate: false })
    const password = await passwordHash()
    const now = Math.floor(Date.now() / 1000)
    for (let n = 1; n <= USER_COUNT; n++) {
      const user = await stores.users.createUser({
        username: username(n),
        usernameKey: usernameKey(username(n)),
        email: `${username(n)}@example.com`,
        firstName: 'Peter',
        lastName: 'Parker',
        password,
        isActive: true,
        isStaff: false,
        isSuperuser: false,
        lastLogin: null,
        dateJoined: now,
        profile: {},
      })
      instance.userIds.push(user.id)
    }
  } finally {
    database.close()
  }
}

/**
 * Starts `tessera serve` on the instance (port 0 unless given), resolving once it printed
 * `Tessera <version> listening on <url>`. `wrapper` is a command line to run node under. Its
 * stdout (the banner, then a JSON log line per request) is appended to a file of the data dir,
 * `<label>.stdout.log`, where a service manager would send it; `logFile` in the result.
 */
export async function startTessera(
  instance,
  { workers = 1, port = 0, label, wrapper = [], env = {} } = {},
) {
  const name = label ?? instance.name
  // BENCH_TESSERA_NODE_FLAGS profiles the server, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`
  // (Node refuses --cpu-prof in NODE_OPTIONS).
  const flags = (process.env.BENCH_TESSERA_NODE_FLAGS ?? '').split(' ').filter(Boolean)
  const args = [...flags, BIN_PATH, 'serve', '--port', String(port)]
  if (workers > 1) args.push('--workers', String(workers))
  // `wrapper` runs node under another program (valgrind for bench/instructions.js).
  const [command, ...commandArgs] = [...wrapper, process.execPath, ...args]
  const logFile = path.join(instance.dataDir, fileNameOf(`${name}.stdout.log`))
  const child = startChild(`tessera ${name}`, command, commandArgs, {
    env: serverEnv(instance, env),
    stdoutFile: logFile,
  })
  let url
  await waitUntil(
    `tessera ${name}`,
    () => {
      url = /Tessera \S+ listening on (http:\/\/\S+)/.exec(child.output())?.[1]
      return url !== undefined
    },
    { timeoutMs: wrapper.length === 0 ? 120_000 : 300_000, child },
  )
  return { ...instance, name, url, logFile, stop: child.stop, pid: child.child.pid }
}

/**
 * Learns how this Tessera signs (its header with kid, the user_id claim's type) from one real
 * login and checks a token signed the same way is accepted. Resolves to a function returning
 * `count` distinct fresh access tokens for the seeded users (fresh: they live `lifetime` seconds,
 * by default 300, as Tessera's).
 */
export async function tesseraTokenSigner(server, userIds, lifetime = 300) {
  const login = await request(`${server.url}/api/token/`, {
    method: 'POST',
    body: { username: username(1), password: PASSWORD },
  })
  expectResponse('tessera login', login, 200)
  const { header, claims } = decodeJwt(login.json.access)
  const sign = (count = USER_COUNT) =>
    Array.from({ length: count }, (_, i) => {
      const id = userIds[i % userIds.length]
      return signHs256(
        SIGNING_KEY,
        header,
        accessClaims(typeof claims.user_id === 'number' ? Number(id) : id, lifetime),
      )
    })
  const hello = await request(`${server.url}/api/hello/`, {
    headers: { authorization: `Bearer ${sign(1)[0]}` },
  })
  expectResponse('tessera hello with a bench-signed token', hello, 200, HELLO_BODY)
  return sign
}

/** `name` made safe as one file name: `@tessera/fastify` -> `@tessera-fastify`. */
export const fileNameOf = (name) => name.replace(/[^\w.@()+-]+/g, '-')

/** Writes lines to a file in the work dir (its name made safe); returns its path. */
export function writeLines(workDir, name, lines) {
  const file = path.join(workDir, fileNameOf(name))
  writeFileSync(file, `${lines.join('\n')}\n`)
  return file
}
