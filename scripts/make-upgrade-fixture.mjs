// Upgrade fixtures (issue 31, item 6): databases written by an EARLIER Tessera, taken from the git
// history, for packages/server/test/upgrades/ to migrate with the current code.
//
//   node scripts/make-upgrade-fixture.mjs <commit> [--postgres postgres://...] [--keep]
//
// It checks <commit> out with `git worktree add` into a temporary directory, links this
// checkout's node_modules into it (the old versions' dependencies are a subset of today's; the
// @tessera/* links point at the old packages), builds it with `tsc -b`, and drives the OLD
// `tessera` CLI and HTTP API (serve, keys rotate, createsuperuser, users deactivate) on a fresh
// SQLite data directory and a fresh PostgreSQL database (created on --postgres, default
// TESSERA_TEST_POSTGRES_URL, and dropped afterwards). It writes, under
// packages/server/test/fixtures/upgrades/<newest migration>-<commit>/:
//   tessera.sqlite3  the SQLite database (VACUUM INTO: one small file, no WAL)
//   postgres.sql     pg_dump --inserts of the PostgreSQL database (plain SQL, no COPY)
//   manifest.json    users and passwords, every token issued with the old server's verdicts,
//                    the TEST-ONLY settings (key encryption key, secret key) and row counts
// The fixture keys are test-only: they sign nothing but these fixtures' tokens.
import { spawn, spawnSync } from 'node:child_process'
import { createHmac, randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'

const root = fileURLToPath(new URL('..', import.meta.url))
const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    postgres: { type: 'string' },
    keep: { type: 'boolean', default: false },
    tree: { type: 'string' },
  },
})
const commitArg = positionals[0]
if (commitArg === undefined) {
  console.error('usage: node scripts/make-upgrade-fixture.mjs <commit> [--postgres URL] [--keep]')
  process.exit(2)
}
const postgresUrl = values.postgres ?? process.env.TESSERA_TEST_POSTGRES_URL
if (postgresUrl === undefined) {
  console.error('a PostgreSQL server is needed: --postgres URL or TESSERA_TEST_POSTGRES_URL')
  process.exit(2)
}
const git = (...args) => {
  const run = spawnSync('git', args, { cwd: root, encoding: 'utf8' })
  if (run.status !== 0) throw new Error(`git ${args.join(' ')}: ${run.stderr}`)
  return run.stdout.trim()
}
const commit = git('rev-parse', '--short=7', `${commitArg}^{commit}`)

// TEST-ONLY secrets, fixed so that every fixture shares them (never use them anywhere else).
export const FIXTURE_SETTINGS = {
  TESSERA_ALGORITHM: 'ES256',
  TESSERA_KEY_ENCRYPTION_KEY: 'dGVzdC1vbmx5LXVwZ3JhZGUtZml4dHVyZS1rZWstMzI',
  TESSERA_SECRET_KEY: 'test-only-upgrade-fixture-secret-key-0123456789',
  TESSERA_ACCESS_TOKEN_LIFETIME: '3600',
  TESSERA_REFRESH_TOKEN_LIFETIME: '86400',
}

/** The old tree, built, with this checkout's node_modules linked in. */
function checkOut() {
  const dir = values.tree ?? mkdtempSync(join(tmpdir(), `tessera-upgrade-${commit}-`))
  const modules = join(dir, 'node_modules')
  if (values.tree === undefined) {
    git('worktree', 'add', '--detach', dir, commit)
    linkModules(dir, modules)
  }
  console.log(`building ${commit} in ${dir}`)
  const build = spawnSync('nice', [join(modules, '.bin', 'tsc'), '-b'], {
    cwd: dir,
    stdio: 'inherit',
  })
  if (build.status !== 0) throw new Error(`tsc -b failed in ${dir}`)
  const migrations = readdirSync(join(dir, 'packages/core/src/stores/sql'))
    .filter((name) => /^migration-\d{4}/.test(name))
    .map((name) => name.replace(/^migration-/, '').replace(/\.ts$/, ''))
    .sort()
  return { dir, cli: join(dir, 'packages/server/dist/cli.js'), migrations }
}

/**
 * node_modules of the old tree: links to this checkout's packages, except @tessera/*, which
 * point at the old tree's own packages.
 */
function linkModules(dir, modules) {
  mkdirSync(join(modules, '@tessera'), { recursive: true })
  for (const entry of readdirSync(join(root, 'node_modules'))) {
    if (entry === '@tessera') continue
    symlinkSync(join(root, 'node_modules', entry), join(modules, entry))
  }
  for (const name of readdirSync(join(dir, 'packages')))
    symlinkSync(join('..', '..', 'packages', name), join(modules, '@tessera', name))
}

function cliEnv(env) {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TESSERA_')),
  )
  return { ...clean, ...env }
}

function runCli(old, env, args, extra = {}) {
  const run = spawnSync(process.execPath, [old.cli, ...args], {
    env: cliEnv({ ...env, ...extra }),
    encoding: 'utf8',
    input: '',
  })
  if (run.status !== 0) throw new Error(`tessera ${args.join(' ')}: ${run.stdout}${run.stderr}`)
  return run.stdout
}

async function serve(old, env) {
  const child = spawn(process.execPath, [old.cli, 'serve', '--port', '0'], {
    env: cliEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${output}`)), 60_000)
    const read = (chunk) => {
      output += chunk
      const match = /listening on (https?:\/\/\S+)/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(match[1])
      }
    }
    child.stdout.on('data', read)
    child.stderr.on('data', read)
    child.on('exit', (code) => reject(new Error(`serve exited ${code}:\n${output}`)))
  })
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        child.on('exit', resolve)
        child.kill('SIGTERM')
      }),
  }
}

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

/** RFC 6238 code (SHA-1, 6 digits, 30 s) of a base32 secret at `seconds`. */
function totp(secret, seconds) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
  let bits = ''
  for (const char of secret.replace(/=+$/, '').toUpperCase())
    bits += alphabet.indexOf(char).toString(2).padStart(5, '0')
  const key = Buffer.from(bits.match(/.{8}/g).map((byte) => Number.parseInt(byte, 2)))
  const counter = Buffer.alloc(8)
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)))
  const mac = createHmac('sha1', key).update(counter).digest()
  const offset = mac[mac.length - 1] & 0xf
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0')
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
async function populate(old, env, features) {
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
        { code: totp(setup.secret, Date.now() / 1000) },
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

async function sqliteCounts(file) {
  const db = new Database(file, { readonly: true })
  try {
    const tables = db
      .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%'")
      .all()
      .map((row) => row.name)
      .sort()
    return Object.fromEntries(
      tables.map((table) => [table, db.prepare(`select count(*) as n from "${table}"`).get().n]),
    )
  } finally {
    db.close()
  }
}

async function postgresCounts(url) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    const { rows } = await client.query(
      "select tablename from pg_tables where schemaname = 'public' order by tablename",
    )
    const counts = {}
    for (const { tablename } of rows)
      counts[tablename] = Number(
        (await client.query(`select count(*) as n from "${tablename}"`)).rows[0].n,
      )
    return counts
  } finally {
    await client.end()
  }
}

async function withAdmin(fn) {
  const admin = new pg.Client({ connectionString: postgresUrl })
  await admin.connect()
  try {
    return await fn(admin)
  } finally {
    await admin.end()
  }
}

async function main() {
  const old = checkOut()
  const schema = old.migrations.at(-1).slice(0, 4)
  const features = {
    revokedSessions: old.migrations.some((name) => name.startsWith('0004')),
    mfa: old.migrations.some((name) => name.startsWith('0005')),
    mail: old.migrations.some((name) => name.startsWith('0006')),
  }
  const out = join(root, 'packages/server/test/fixtures/upgrades', `${schema}-${commit}`)
  rmSync(out, { recursive: true, force: true })
  mkdirSync(out, { recursive: true })
  const dead = 1 // nothing listens on port 1: mail stays in the outbox
  const base = {
    ...FIXTURE_SETTINGS,
    TESSERA_LOG_LEVEL: 'warn',
    TESSERA_THROTTLE_LOGIN_USERNAME: 'off',
    TESSERA_THROTTLE_LOGIN_IP: 'off',
    TESSERA_THROTTLE_REGISTER: 'off',
    ...(features.mail
      ? {
          TESSERA_EMAIL_BACKEND: 'smtp',
          TESSERA_EMAIL_HOST: '127.0.0.1',
          TESSERA_EMAIL_PORT: String(dead),
        }
      : {}),
  }
  const manifest = {
    about:
      `Written by Tessera ${commit} (${git('log', '-1', '--format=%s', commit).slice(0, 120)}) ` +
      'through its own CLI and HTTP API, by scripts/make-upgrade-fixture.mjs. TEST-ONLY keys and ' +
      'secrets: they sign nothing but these fixtures.',
    commit,
    date: git('log', '-1', '--format=%cI', commit),
    migrations: old.migrations,
    features,
    settings: FIXTURE_SETTINGS,
    backends: {},
  }
  try {
    const work = mkdtempSync(join(tmpdir(), 'tessera-upgrade-data-'))
    const sqliteEnv = { ...base, TESSERA_DATA_DIR: join(work, 'sqlite') }
    const sqlite = await populate(old, sqliteEnv, features)
    const database = join(work, 'sqlite', 'tessera.sqlite3')
    const copy = new Database(database)
    copy.prepare('VACUUM INTO ?').run(join(out, 'tessera.sqlite3'))
    copy.close()
    manifest.backends.sqlite = {
      file: 'tessera.sqlite3',
      counts: await sqliteCounts(join(out, 'tessera.sqlite3')),
      ...sqlite,
    }

    const name = `tessera_upgrade_${commit}_${randomBytes(3).toString('hex')}`
    await withAdmin((admin) => admin.query(`create database "${name}"`))
    const url = new URL(postgresUrl)
    url.pathname = `/${name}`
    try {
      const pgEnv = { ...base, TESSERA_DATA_DIR: join(work, 'pg'), TESSERA_DATABASE_URL: url.href }
      const postgres = await populate(old, pgEnv, features)
      const dump = spawnSync(
        'pg_dump',
        ['--inserts', '--no-owner', '--no-privileges', '--no-comments', '--dbname', url.href],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      )
      if (dump.status !== 0) throw new Error(`pg_dump: ${dump.stderr}`)
      writeFileSync(join(out, 'postgres.sql'), dump.stdout)
      manifest.backends.postgres = {
        file: 'postgres.sql',
        counts: await postgresCounts(url.href),
        ...postgres,
      }
    } finally {
      await withAdmin((admin) => admin.query(`drop database if exists "${name}" with (force)`))
    }
    rmSync(work, { recursive: true, force: true })
    writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`)
    // In the repository's JSON style, so that `biome check .` passes on the committed fixture.
    spawnSync(join(root, 'node_modules/.bin/biome'), ['format', '--write', out], { cwd: root })
    console.log(`wrote ${out}`)
  } finally {
    if (!values.keep && values.tree === undefined) git('worktree', 'remove', '--force', old.dir)
  }
}

await main()
