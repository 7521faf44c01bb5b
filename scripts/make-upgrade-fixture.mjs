// Upgrade fixtures (issue 31, item 6): databases written by an EARLIER Tessera, taken from the git
// history, for packages/server/test/upgrades/ to migrate with the current code.
//
//   node scripts/make-upgrade-fixture.mjs <commit> [--postgres postgres://...] [--out DIR]
//                                         [--tree DIR]
//
// (after `npx tsc -b`: the scenario computes TOTP codes with this checkout's @tessera/core)
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
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import Database from 'better-sqlite3'
import pg from 'pg'
import { checkOut, git, root } from './upgrade-fixture/old-checkout.mjs'
import { populate } from './upgrade-fixture/scenario.mjs'

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    postgres: { type: 'string' },
    out: { type: 'string' },
    tree: { type: 'string' },
  },
})
const commitArg = positionals[0]
if (commitArg === undefined) {
  console.error(
    'usage: node scripts/make-upgrade-fixture.mjs <commit> [--postgres URL] [--out DIR] [--tree DIR]',
  )
  process.exit(2)
}
const postgresUrl = values.postgres ?? process.env.TESSERA_TEST_POSTGRES_URL
if (postgresUrl === undefined) {
  console.error('a PostgreSQL server is needed: --postgres URL or TESSERA_TEST_POSTGRES_URL')
  process.exit(2)
}
const commit = git('rev-parse', '--short=7', `${commitArg}^{commit}`)

// TEST-ONLY secrets, fixed so that every fixture shares them (never use them anywhere else).
const FIXTURE_SETTINGS = {
  TESSERA_ALGORITHM: 'ES256',
  TESSERA_KEY_ENCRYPTION_KEY: 'dGVzdC1vbmx5LXVwZ3JhZGUtZml4dHVyZS1rZWstMzI',
  TESSERA_SECRET_KEY: 'test-only-upgrade-fixture-secret-key-0123456789',
  TESSERA_ACCESS_TOKEN_LIFETIME: '3600',
  TESSERA_REFRESH_TOKEN_LIFETIME: '86400',
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
  const old = checkOut(commit, values.tree)
  const schema = old.migrations.at(-1).slice(0, 4)
  const features = {
    revokedSessions: old.migrations.some((name) => name.startsWith('0004')),
    mfa: old.migrations.some((name) => name.startsWith('0005')),
    mail: old.migrations.some((name) => name.startsWith('0006')),
  }
  const out =
    values.out ?? join(root, 'packages/server/test/fixtures/upgrades', `${schema}-${commit}`)
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
    old.remove()
  }
}

await main()
