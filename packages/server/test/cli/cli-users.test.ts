import { join } from 'node:path'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'

const tempDir = useTempDirs()
const PASSWORD = 'correct horse battery staple'

beforeAll(requireBuiltCli)

/** A CLI bound to a fresh data directory. */
function cli() {
  const cwd = tempDir()
  const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
  return (args: string[], extra: { env?: Record<string, string>; input?: string } = {}) =>
    runTessera(args, {
      cwd,
      env: { ...env, ...extra.env },
      ...(extra.input === undefined ? {} : { input: extra.input }),
    })
}

async function createAdmin(tessera: ReturnType<typeof cli>, username = 'admin') {
  const run = await tessera(
    ['createsuperuser', '--no-input', '--username', username, '--email', `${username}@example.com`],
    { env: { TESSERA_SUPERUSER_PASSWORD: PASSWORD } },
  )
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return run
}

describe('tessera createsuperuser --no-input', () => {
  it('creates an active staff superuser with the password from TESSERA_SUPERUSER_PASSWORD', async () => {
    const tessera = cli()
    const run = await createAdmin(tessera)
    expect(run.stdout).toBe('Superuser created successfully: admin (id 1).\n')
    expect(run.stdout).not.toContain(PASSWORD)
    const show = await tessera(['users', 'show', 'admin', '--json'])
    expect(show.status).toBe(0)
    expect(JSON.parse(show.stdout)).toMatchObject({
      id: '1',
      username: 'admin',
      email: 'admin@example.com',
      is_active: true,
      is_staff: true,
      is_superuser: true,
      has_usable_password: true,
      active_sessions: 0,
      mfa_enabled: false,
    })
    expect(show.stdout).not.toMatch(/argon2|"password"/)
  })

  it('refuses a password the validators refuse, naming them (exit 1)', async () => {
    const tessera = cli()
    const run = await tessera(['createsuperuser', '--no-input', '--username', 'admin'], {
      env: { TESSERA_SUPERUSER_PASSWORD: '12345678' },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      'tessera: error: the password in TESSERA_SUPERUSER_PASSWORD was refused: ' +
        'This password is too common. This password is entirely numeric.\n',
    )
    expect((await tessera(['users', 'list'])).stdout).toBe('No users.\n')
  })

  it('refuses a missing password, a taken or invalid username, an invalid email', async () => {
    const tessera = cli()
    const missing = await tessera(['createsuperuser', '--no-input', '--username', 'admin'])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toMatch(/set TESSERA_SUPERUSER_PASSWORD/)

    await createAdmin(tessera)
    const env = { TESSERA_SUPERUSER_PASSWORD: PASSWORD }
    const taken = await tessera(['createsuperuser', '--no-input', '--username', 'ADMIN'], { env })
    expect(taken.status).toBe(1)
    expect(taken.stderr).toBe('tessera: error: That username is already taken.\n')

    const invalid = await tessera(['createsuperuser', '--no-input', '--username', 'bad name'], {
      env,
    })
    expect(invalid.status).toBe(1)
    expect(invalid.stderr).toMatch(/^tessera: error: Enter a valid username/)

    const email = await tessera(
      ['createsuperuser', '--no-input', '--username', 'other', '--email', 'nope'],
      { env },
    )
    expect(email.status).toBe(1)
    expect(email.stderr).toBe('tessera: error: Enter a valid email address.\n')
  })

  it('asks interactively, refusing mismatched passwords, reading answers from a pipe', async () => {
    const tessera = cli()
    const input = [
      'carol',
      'carol@example.com',
      'one password',
      'another one',
      PASSWORD,
      PASSWORD,
      '',
    ].join('\n')
    const run = await tessera(['createsuperuser'], { input })
    expect(run.status).toBe(0)
    expect(run.stderr).toMatch(/Username.*: Email address: Password: Password \(again\): /)
    expect(run.stderr).toContain("Error: Your passwords didn't match.")
    expect(run.stderr).not.toContain(PASSWORD)
    expect(run.stdout).toBe('Superuser created successfully: carol (id 1).\n')
  })

  it('offers to bypass the validators interactively; no means ask again', async () => {
    const tessera = cli()
    const input = ['dave', '', 'password', 'password', 'n', 'password', 'password', 'y', ''].join(
      '\n',
    )
    const run = await tessera(['createsuperuser'], { input })
    expect(run.status).toBe(0)
    expect(run.stderr).toContain('This password is too common.')
    expect(run.stderr).toContain('Bypass password validation and create user anyway? [y/N]: ')
    expect(run.stdout).toContain('Superuser created successfully: dave')
  })
})

describe('tessera users', () => {
  it('lists users as a table and as JSON', async () => {
    const tessera = cli()
    expect((await tessera(['users', 'list'])).stdout).toBe('No users.\n')
    await createAdmin(tessera, 'admin')
    await createAdmin(tessera, 'root')
    const table = await tessera(['users', 'list'])
    expect(table.status).toBe(0)
    const lines = table.stdout.trimEnd().split('\n')
    expect(lines[0]).toMatch(/^ID\s+USERNAME\s+EMAIL\s+ACTIVE\s+STAFF\s+SUPERUSER\s+LAST LOGIN$/)
    expect(lines[1]).toMatch(/^1\s+admin\s+admin@example.com\s+yes\s+yes\s+yes\s+-$/)
    expect(lines[2]).toMatch(/^2\s+root\s+/)
    const json = JSON.parse((await tessera(['users', 'list', '--json'])).stdout)
    expect(json.map((user: { username: string }) => user.username)).toEqual(['admin', 'root'])
  })

  it('shows one user; an unknown user exits 1', async () => {
    const tessera = cli()
    await createAdmin(tessera)
    const show = await tessera(['users', 'show', 'Admin'])
    expect(show.status).toBe(0)
    expect(show.stdout).toMatch(/^id:\s+1$/m)
    expect(show.stdout).toMatch(/^is_superuser:\s+true$/m)
    expect(show.stdout).toMatch(/^last_login:\s+-$/m)
    const missing = await tessera(['users', 'show', 'nobody'])
    expect(missing.status).toBe(1)
    expect(missing.stderr).toBe("tessera: error: user 'nobody' does not exist\n")
  })

  it('deactivates (revoking every session) and activates again', async () => {
    const tessera = cli()
    await createAdmin(tessera)
    const off = await tessera(['users', 'deactivate', 'admin'])
    expect(off.status).toBe(0)
    expect(off.stdout).toBe(
      "User 'admin' is now inactive; all their sessions and tokens were revoked.\n",
    )
    expect(JSON.parse((await tessera(['users', 'show', 'admin', '--json'])).stdout).is_active).toBe(
      false,
    )
    const again = await tessera(['users', 'deactivate', 'admin'])
    expect(again.stdout).toMatch(/^User 'admin' was already inactive/)
    const on = await tessera(['users', 'activate', 'admin'])
    expect(on.status).toBe(0)
    expect(on.stdout).toBe("User 'admin' is now active.\n")
    expect(JSON.parse((await tessera(['users', 'show', 'admin', '--json'])).stdout).is_active).toBe(
      true,
    )
  })
})

describe('tessera changepassword, migrate, flushexpiredtokens', () => {
  it('changes a password from TESSERA_CHANGEPASSWORD_PASSWORD, refusing weak ones', async () => {
    const tessera = cli()
    await createAdmin(tessera)
    const weak = await tessera(['changepassword', 'admin', '--password-from-env'], {
      env: { TESSERA_CHANGEPASSWORD_PASSWORD: 'admin123' },
    })
    expect(weak.status).toBe(1)
    expect(weak.stderr).toMatch(/was refused: /)
    const ok = await tessera(['changepassword', 'admin', '--password-from-env'], {
      env: { TESSERA_CHANGEPASSWORD_PASSWORD: 'a new and better passphrase' },
    })
    expect(ok.status).toBe(0)
    expect(ok.stdout).toBe(
      "Password changed successfully for user 'admin'; their sessions were ended.\n",
    )
    const missing = await tessera(['changepassword', 'ghost', '--password-from-env'], {
      env: { TESSERA_CHANGEPASSWORD_PASSWORD: 'a new and better passphrase' },
    })
    expect(missing.status).toBe(1)
    expect(missing.stderr).toBe("tessera: error: user 'ghost' does not exist\n")
  })

  it('gives up interactively after three failed attempts, as Django', async () => {
    const tessera = cli()
    await createAdmin(tessera)
    const input = ['a1', 'b1', 'a2', 'b2', 'short', 'short', ''].join('\n')
    const run = await tessera(['changepassword', 'admin'], { input })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^Changing password for user 'admin'\n/)
    expect(run.stderr).toMatch(
      /tessera: error: Aborting password change for user 'admin' after 3 attempts\n$/,
    )
  })

  it('migrates once, then has nothing to apply', async () => {
    const tessera = cli()
    const first = await tessera(['migrate'])
    expect(first.status).toBe(0)
    expect(first.stdout).toMatch(
      /^Database: SQLite .*tessera\.sqlite3\n {2}Applying \S+\.\.\. OK\n/,
    )
    const second = await tessera(['migrate'])
    expect(second.stdout).toMatch(/No migrations to apply\.\n$/)
  })

  it('flushes expired tokens', async () => {
    const tessera = cli()
    const run = await tessera(['flushexpiredtokens'])
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(
      /^Deleted 0 expired refresh token and session rows, 0 expired revocations, 0 spent MFA tokens and expired trusted devices and 0 mail messages delivered over a week ago\.\n$/,
    )
  })
})

describe('tessera users reset-mfa', () => {
  it("removes a user's authenticator, recovery codes and trusted devices, audited", async () => {
    const cwd = tempDir()
    const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
    const tessera = (args: string[]) => runTessera(args, { cwd, env })
    const created = await runTessera(
      ['createsuperuser', '--no-input', '--username', 'admin', '--email', 'a@example.com'],
      { cwd, env: { ...env, TESSERA_SUPERUSER_PASSWORD: PASSWORD } },
    )
    expect(created.status).toBe(0)
    const database = await openSqliteDatabase(join(cwd, 'data', 'tessera.sqlite3'))
    try {
      const stores = await createSqliteStores({ database, migrate: false })
      const now = Date.now() / 1000
      expect(await stores.mfa.saveTotpSetup('1', 'JBSWY3DPEHPK3PXP', now)).toBe(true)
      expect(await stores.mfa.confirmTotp('1', 1, ['a'.repeat(64)], now)).toBe(true)
      await stores.mfa.createTrustedDevice({
        id: 'd'.repeat(32),
        userId: '1',
        tokenHash: 'b'.repeat(64),
        device: 'laptop',
        ip: '127.0.0.1',
        createdAt: now,
        expiresAt: now + 3600,
      })
      const before = await tessera(['users', 'show', 'admin', '--json'])
      expect(JSON.parse(before.stdout).mfa_enabled).toBe(true)
      const run = await tessera(['users', 'reset-mfa', 'admin'])
      expect(run.stderr).toBe('')
      expect(run.status).toBe(0)
      expect(run.stdout).toBe(
        "Two-factor authentication of 'admin' was reset; their next login needs the password only.\n",
      )
      expect(await stores.mfa.findTotp('1')).toBeUndefined()
      const after = await tessera(['users', 'show', 'admin'])
      expect(after.stdout).toMatch(/^mfa_enabled: +false$/m)
      expect(await stores.mfa.countRecoveryCodes('1')).toBe(0)
      expect(await stores.mfa.listTrustedDevices('1', now)).toEqual([])
      const [event] = await stores.audit.listEvents({ limit: 1, userId: '1' })
      expect(event).toMatchObject({ type: 'mfa_reset', data: { by: 'operator', had_mfa: true } })
      const again = await tessera(['users', 'reset-mfa', 'admin'])
      expect(again.stdout).toBe(
        "User 'admin' had no two-factor authentication; their trusted devices were revoked.\n",
      )
      const unknown = await tessera(['users', 'reset-mfa', 'nobody'])
      expect(unknown.status).toBe(1)
      expect(unknown.stderr).toMatch(/nobody/)
    } finally {
      database.close()
    }
  })
})
