import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createTokenEngine,
  generateSigningKey,
  KeyEncryptionKey,
  KeyManager,
  KeyRing,
} from '@tessera/core'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'
import { loadServerConfig, loadServerSettings } from '@tessera/server'
import { beforeAll, describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'

const tempDir = useTempDirs()
const OTHER_KEY = 'another-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMN'

beforeAll(requireBuiltCli)

/** An access token signed with `key`, issued `ago` seconds ago. */
function accessToken(key: string, ago = 0): string {
  const settings = loadServerSettings({ env: { TESSERA_SIGNING_KEY: key }, configFile: false })
  const now = Math.floor(Date.now() / 1000) - ago
  return createTokenEngine(settings, { clock: () => now }).issuer.issueAccessToken({ id: '42' })
    .token
}

function decode(token: string, env: Record<string, string> = {}, input?: string) {
  const cwd = tempDir()
  return runTessera(['token', 'decode', input === undefined ? token : '-'], {
    cwd,
    env: { TESSERA_DATA_DIR: join(cwd, 'data'), ...env },
    ...(input === undefined ? {} : { input }),
  })
}

describe('tessera token decode', () => {
  it('prints header, claims and expiry in words, UNVERIFIED without a key', async () => {
    const run = await decode(accessToken(TEST_SIGNING_KEY))
    expect(run.status).toBe(5)
    expect(run.stdout).toMatch(
      /^Header:\n\{\n {2}"alg": "HS256",\n {2}"typ": "JWT",\n {2}"kid": "hs-/,
    )
    expect(run.stdout).toMatch(/\nClaims:\n\{\n {2}"token_type": "access",\n {2}"exp": \d+,/)
    expect(run.stdout).toMatch(/"user_id": 42/)
    expect(run.stdout).toMatch(
      /\nIssued: {3}\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(\d+ seconds? ago\)\n/,
    )
    expect(run.stdout).toMatch(/\nExpires: {2}\S+ \(expires in 4 minutes\)\n/)
    expect(run.stdout).toMatch(/\nUNVERIFIED: no signing key is configured/)
  })

  it('says "expired 3 hours ago" for an old token', async () => {
    const run = await decode(accessToken(TEST_SIGNING_KEY, 3 * 3600 + 300 + 30))
    expect(run.stdout).toMatch(/\(expired 3 hours ago\)/)
  })

  it('VERIFIED with the configured key', async () => {
    const run = await decode(accessToken(TEST_SIGNING_KEY), {
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
    })
    expect(run.stdout).toMatch(/\nVERIFIED: signature and claims are valid for TESSERA_SIGNING_KEY/)
    expect(run.status).toBe(0)
  })

  it('NOT VERIFIED with another key', async () => {
    const run = await decode(accessToken(OTHER_KEY), { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY })
    expect(run.stdout).toMatch(/\nNOT VERIFIED: .*\((token_key_unknown|token_signature_invalid)\)/)
    expect(run.status).toBe(3)
  })

  it('signature verified but expired', async () => {
    const run = await decode(accessToken(TEST_SIGNING_KEY, 3600), {
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
    })
    expect(run.stdout).toMatch(
      /\nSIGNATURE VERIFIED with TESSERA_SIGNING_KEY, but the token is not valid: .*token_expired/,
    )
    expect(run.status).toBe(4)
  })

  it('uses the development key of DATA_DIR when there is one, never creating it', async () => {
    const cwd = tempDir()
    const dataDir = join(cwd, 'data')
    const noKey = await runTessera(['token', 'decode', accessToken(TEST_SIGNING_KEY)], {
      cwd,
      env: { TESSERA_DATA_DIR: dataDir },
    })
    expect(noKey.stdout).toMatch(/UNVERIFIED/)
    const devKey = loadServerConfig({ env: { TESSERA_DATA_DIR: dataDir }, cwd, configFile: false })
      .settings.SIGNING_KEY as string
    const run = await runTessera(['token', 'decode', accessToken(devKey)], {
      cwd,
      env: { TESSERA_DATA_DIR: dataDir },
    })
    expect(run.stdout).toMatch(
      /\nVERIFIED: signature and claims are valid for the development key in /,
    )
    expect(run.status).toBe(0)
    expect(run.stdout).not.toContain(devKey)
  })

  it("reads the token from stdin with '-'", async () => {
    const run = await decode(
      '',
      { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY },
      `${accessToken(TEST_SIGNING_KEY)}\n`,
    )
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/"token_type": "access"/)
  })

  it("refuses a token pasted with a stray '-' without echoing it", async () => {
    const token = accessToken(TEST_SIGNING_KEY)
    const run = await decode(`-${token}`)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(/^tessera token: error: unknown option -e; .* goes after '--'\n/)
    expect(run.stderr).not.toContain(token.slice(0, 20))
  })

  it.each(['not-a-jwt', 'a.b.c', 'eyJhbGciOiJub25lIn0.W10.'])(
    'refuses %s as NOT VERIFIED (exit 3), on stderr',
    async (token) => {
      const run = await decode(token)
      expect(run.status).toBe(3)
      expect(run.stderr).toMatch(/^tessera: error: not a JWT: /)
      expect(run.stderr.trim().split('\n')).toHaveLength(1)
    },
  )

  describe('exit status: one per outcome, for scripts', () => {
    const withKey = { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY }

    it('documents them in --help and in the README, alike', async () => {
      const run = await runTessera(['token', 'decode', '--help'])
      expect(run.status).toBe(0)
      expect(run.stdout).toMatch(/\nExit status \(for scripts\):\n {2}0 {2}VERIFIED: /)
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')
      const rows = [...readme.matchAll(/^\| (\d) \| `?([A-Z ]+|[a-z ]+)/gm)].map(([, n, w]) => [
        Number(n),
        w?.trim(),
      ])
      expect(rows).toEqual([
        [0, 'VERIFIED'],
        [1, 'failure'],
        [2, 'bad arguments'],
        [3, 'NOT VERIFIED'],
        [4, 'SIGNATURE VERIFIED'],
        [5, 'UNVERIFIED'],
      ])
      for (const status of [1, 2, 3, 4, 5])
        expect(run.stdout).toMatch(new RegExp(`\n {2}${status} {2}\\S`))
    })

    it('3: a tampered signature', async () => {
      const token = accessToken(TEST_SIGNING_KEY)
      // A character in the middle of the signature: still canonical base64url, wrong bytes.
      const at = token.length - 10
      const tampered = `${token.slice(0, at)}${token[at] === 'A' ? 'B' : 'A'}${token.slice(at + 1)}`
      const run = await decode(tampered, withKey)
      expect(run.stdout).toMatch(
        /\nNOT VERIFIED: .*\(token_signature_invalid\) with TESSERA_SIGNING_KEY\n$/,
      )
      expect(run.status).toBe(3)
    })

    it('4: not yet valid (issued an hour from now)', async () => {
      const run = await decode(accessToken(TEST_SIGNING_KEY, -3600), withKey)
      expect(run.stdout).toMatch(/\nSIGNATURE VERIFIED .*\(token_not_yet_valid\)\n$/)
      expect(run.status).toBe(4)
    })

    it('4: an audience the token does not name', async () => {
      const run = await decode(accessToken(TEST_SIGNING_KEY), {
        ...withKey,
        TESSERA_AUDIENCE: 'https://api.example.com',
      })
      expect(run.stdout).toMatch(/\nSIGNATURE VERIFIED .*\(token_claim_invalid\)\n$/)
      expect(run.status).toBe(4)
    })

    it('1: a bad setting, one line on stderr', async () => {
      const run = await decode(accessToken(TEST_SIGNING_KEY), {
        ...withKey,
        TESSERA_LEEWAY: 'soon',
      })
      expect(run.stderr).toMatch(
        /^tessera: error: LEEWAY must be a duration.*\(from env TESSERA_LEEWAY\)\n$/,
      )
      expect(run.status).toBe(1)
    })

    it('5: a key ring that cannot be read (PostgreSQL refuses the connection)', async () => {
      const token = createTokenEngine(
        loadServerSettings({ env: { TESSERA_ALGORITHM: 'ES256' }, configFile: false }),
        {
          keyRing: new KeyRing([generateSigningKey('ES256')]),
        },
      ).issuer.issueAccessToken({ id: '42' }).token
      const run = await decode(token, {
        TESSERA_ALGORITHM: 'ES256',
        TESSERA_DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:1/tessera',
      })
      expect(run.stdout).toMatch(
        /\nUNVERIFIED: the key ring in PostgreSQL postgres:\/\/app@127\.0\.0\.1:1\/tessera could not be read \(cannot connect to PostgreSQL .*: connection refused \(ECONNREFUSED\);.*\)\n$/,
      )
      expect(run.stdout).not.toContain('s3cret-pw')
      expect(run.status).toBe(5)
    })
  })

  describe('with the key ring kept in the store (ES256, no SIGNING_KEY)', () => {
    const kek = randomBytes(32).toString('base64url')

    /** A data dir whose ring the CLI created (keys encrypted with `kek`), and a token it signed. */
    async function ringAndToken() {
      const cwd = tempDir()
      const env = { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_ALGORITHM: 'ES256' }
      const created = await runTessera(['keys', 'list'], {
        cwd,
        env: { ...env, TESSERA_KEY_ENCRYPTION_KEY: kek },
      })
      expect(created.status).toBe(0)
      const file = join(cwd, 'data', 'tessera.sqlite3')
      const database = await openSqliteDatabase(file)
      try {
        const stores = await createSqliteStores({ database, migrate: false })
        const keys = new KeyManager({
          store: stores.keys,
          retention: 60,
          encryptionKey: KeyEncryptionKey.parse(kek),
        })
        const settings = loadServerSettings({ env, configFile: false })
        const ring = new KeyRing(await keys.loadSigningKeys())
        const token = createTokenEngine(settings, { keyRing: ring }).issuer.issueAccessToken({
          id: '42',
        }).token
        return { cwd, env, file, token }
      } finally {
        database.close()
      }
    }

    it('verifies with the public keys of the ring, needing no key-encryption key', async () => {
      const { cwd, env, file, token } = await ringAndToken()
      const run = await runTessera(['token', 'decode', token], { cwd, env })
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(run.stdout).toMatch(/"alg": "ES256"/)
      expect(run.stdout).toContain(
        `\nVERIFIED: signature and claims are valid for the key ring in SQLite ${file} (revocation not checked)\n`,
      )
    })

    it('says NOT VERIFIED for a token signed by a key outside the ring', async () => {
      const { cwd, env } = await ringAndToken()
      const settings = loadServerSettings({ env, configFile: false })
      const foreign = createTokenEngine(settings, {
        keyRing: new KeyRing([generateSigningKey('ES256')]),
      }).issuer.issueAccessToken({ id: '42' }).token
      const run = await runTessera(['token', 'decode', foreign], { cwd, env })
      expect(run.stdout).toMatch(/\nNOT VERIFIED: .*\(token_key_unknown\) with the key ring in /)
      expect(run.status).toBe(3)
    })

    it('creates no database to decode a token where there is none', async () => {
      const cwd = tempDir()
      const env = { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_ALGORITHM: 'ES256' }
      const token = createTokenEngine(loadServerSettings({ env, configFile: false }), {
        keyRing: new KeyRing([generateSigningKey('ES256')]),
      }).issuer.issueAccessToken({ id: '42' }).token
      const run = await runTessera(['token', 'decode', token], { cwd, env })
      expect(run.status).toBe(5)
      expect(run.stdout).toMatch(/\nUNVERIFIED: no key ring yet \(SQLite .* does not exist\)/)
      expect(existsSync(join(cwd, 'data', 'tessera.sqlite3'))).toBe(false)
    })
  })
})
