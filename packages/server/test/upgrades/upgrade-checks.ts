import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { MigrationReport, Stores } from '@tessera/core'
import { totpCode } from '@tessera/core/mfa'
import { buildServer, loadServerConfig, openStores, type TesseraServer } from '@tessera/server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { requireBuiltCli, runTessera } from '../cli/run-tessera.js'
import { linkOf, type ReceivedMail, TestSmtpServer } from '../mail/smtp-fixture.js'
import type {
  FixtureBackend,
  RestoredDatabase,
  TableRows,
  UpgradeFixture,
} from './upgrade-fixtures.js'

/** The migrations of the current code, by number (`0001`...), from core's sources. */
const CURRENT_MIGRATIONS = readdirSync(
  fileURLToPath(new URL('../../../core/src/stores/sql/', import.meta.url)),
)
  .filter((name) => /^migration-\d{4}-/.test(name))
  .map((name) => name.slice('migration-'.length, 'migration-'.length + 4))
  .sort()

const number = (name: string) => name.slice(0, 4)

/** The current migrations `fixture`'s version did not have, in order. */
const missingMigrations = (fixture: UpgradeFixture) =>
  CURRENT_MIGRATIONS.filter((migration) => !fixture.migrations.map(number).includes(migration))

// Rows compared as JSON: PostgreSQL's Dates and SQLite's numbers both stringify stably.
const key = (row: Record<string, unknown>, columns: readonly string[]) =>
  JSON.stringify(columns.map((column) => row[column]))

/**
 * Runs the upgrade checks on one backend: for every fixture, restore it (`restore`), apply the
 * CURRENT migrations, then with the clock frozen at the fixture's `now`: every row is still
 * there, every token gets the old server's verdict, live refresh tokens refresh and revoked ones
 * are refused, users log in with their passwords (and their second factor).
 */
export function describeUpgrades(
  backend: 'sqlite' | 'postgres',
  fixtures: readonly UpgradeFixture[],
  restore: (fixture: UpgradeFixture) => Promise<RestoredDatabase>,
): void {
  it('has a fixture for the last schema before the sessions issue and for every later one', () => {
    // 0003 is the schema before the sessions issue (0004). The newest migration may lack one
    // while it is being written: its fixture comes from the first commit that has it.
    const schemas = CURRENT_MIGRATIONS.filter((migration) => migration >= '0003')
    const covered = fixtures.map((fixture) => number(fixture.migrations.at(-1) ?? ''))
    expect([schemas, schemas.slice(0, -1)]).toContainEqual(covered)
  })

  it('`tessera migrate` (the deploy step) brings the oldest fixture up to date, once', async () => {
    requireBuiltCli()
    // The oldest only: the CLI runs the migrator the per-fixture checks run, and two processes
    // cost more than all the checks below.
    const oldest = fixtures[0] as UpgradeFixture
    const restored = await restore(oldest)
    try {
      const env = { ...oldest.settings, ...restored.env }
      const first = await runTessera(['migrate'], { env, timeoutMs: 30_000 })
      expect(first.status, first.stderr).toBe(0)
      const applied = [...first.stdout.matchAll(/Applying (\d{4})\S*\.\.\. OK/g)].map(
        (match) => match[1],
      )
      expect(applied).toEqual(missingMigrations(oldest))
      const second = await runTessera(['migrate'], { env, timeoutMs: 30_000 })
      expect(second.stdout).toContain('No migrations to apply.')
    } finally {
      await restored.drop()
    }
  })

  for (const fixture of fixtures) {
    describe(`a ${backend} database written by ${fixture.commit} (schema ${number(fixture.migrations.at(-1) ?? '')})`, () => {
      const data: FixtureBackend = fixture.backends[backend]
      let restored: RestoredDatabase
      let before: TableRows
      let report: MigrationReport
      let stores: Stores
      let server: TesseraServer
      const smtp = new TestSmtpServer()
      // The frozen clock only moves forward, as a real one: a password changed "later" than a
      // login would refuse it.
      const advanceClock = (seconds: number) => vi.setSystemTime(Date.now() + seconds * 1000)
      // The pairs the current code gave for the old version's live refresh tokens.
      const successors = new Map<string, Record<string, string>>()
      // Passwords as the tests leave them (the reset links change some).
      const passwords = new Map(
        Object.entries(data.users).map(([name, user]) => [name, user.password]),
      )

      beforeAll(async () => {
        await smtp.listen()
        // Only Date is frozen: timers stay real, so drivers and worker threads run as usual.
        vi.useFakeTimers({ toFake: ['Date'], now: data.now * 1000 })
        restored = await restore(fixture)
        before = await restored.readRows()
        const config = loadServerConfig({
          env: {
            ...fixture.settings,
            ...restored.env,
            TESSERA_EMAIL_BACKEND: 'smtp',
            TESSERA_EMAIL_HOST: '127.0.0.1',
            TESSERA_EMAIL_PORT: String(smtp.port),
            TESSERA_THROTTLE_LOGIN_USERNAME: 'off',
            TESSERA_THROTTLE_LOGIN_IP: 'off',
            TESSERA_THROTTLE_MFA_TOKEN: 'off',
            TESSERA_THROTTLE_MFA_USER: 'off',
          },
          configFile: false,
        })
        stores = await openStores(config.database, { migrate: false })
        report = await stores.migrate()
        server = await buildServer(config, {
          stores,
          logger: false,
          startMailSender: false,
        })
      })

      afterAll(async () => {
        await server?.close()
        await stores?.close()
        await restored?.drop()
        await smtp.close()
        vi.useRealTimers()
      })

      const inject = async (
        method: 'GET' | 'POST',
        url: string,
        body?: object,
        bearer?: string,
      ) => {
        const response = await server.app.inject({
          method,
          url,
          ...(body === undefined ? {} : { payload: body }),
          ...(bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } }),
        })
        const answer = response.body === '' ? {} : (response.json() as Record<string, string>)
        return { status: response.statusCode, body: answer }
      }
      const hello = async (access: string) =>
        (await inject('GET', '/api/hello/', undefined, access)).status
      const verified = async (token: string) => {
        const { status } = await inject('POST', '/api/token/verify/', { token })
        expect(status, 'a refused token is a 4xx').toBeLessThan(500)
        return status === 200
      }

      it('is the database the manifest describes', () => {
        expect(
          Object.fromEntries(Object.entries(before).map(([table, rows]) => [table, rows.length])),
        ).toEqual(data.counts)
      })

      it('applies exactly the migrations the old version lacked', () => {
        expect(report.applied.map(number)).toEqual(missingMigrations(fixture))
      })

      it('keeps every row of every table, every column unchanged', async () => {
        const after = await restored.readRows()
        for (const [table, rows] of Object.entries(before)) {
          const columns = Object.keys(rows[0] ?? {})
          const kept = new Set((after[table] ?? []).map((row) => key(row, columns)))
          const added = table === 'tessera_migration' ? report.applied.length : 0
          expect(after[table]?.length, table).toBe(rows.length + added)
          for (const row of rows)
            expect(kept.has(key(row, columns)), `${table} row ${key(row, columns)}`).toBe(true)
        }
        // Spot checks: the users, their case-folded email keys (0006 computes them for old rows),
        // and every key that signed a token.
        const users = after.users ?? []
        expect(users.map((user) => user.username).sort()).toEqual(Object.keys(data.users).sort())
        for (const user of users) {
          expect(user.email).toBe(data.users[String(user.username)]?.email)
          expect(user.email_key).toBe(String(user.email).toLowerCase())
        }
        // The audit trail reads back through the current store: every event, its data parsed.
        const events = await stores.audit.listEvents({ limit: 10_000 })
        const types = (rows: readonly { type?: unknown }[]) => rows.map((row) => row.type).sort()
        expect(types(events)).toEqual(types(before.audit_events ?? []))
        for (const event of events) {
          expect(typeof event.data).toBe('object')
          expect(event.at).toBeLessThanOrEqual(data.now + 1)
        }
        const kids = new Set((after.signing_keys ?? []).map((row) => row.kid))
        for (const token of data.tokens) expect(kids.has(token.kid), token.name).toBe(true)
      })

      it('flushes expired rows (as flushexpiredtokens) without losing one the verdicts need', async () => {
        // Everything the old version wrote is still within its lifetime at the fixture's time:
        // a flush there that removed a row would be reading old rows wrongly. The verdict
        // checks below run on the flushed database.
        const now = Date.now() / 1000
        expect(await stores.sessions.flushExpired(now)).toBe(0)
        expect(await stores.revocations.flushExpired(now)).toBe(0)
      })

      it('gives every access token the verdict the old version gave it', async () => {
        for (const token of data.tokens.filter((entry) => entry.type === 'access')) {
          expect(await hello(token.token), `${token.name}: ${token.note}`).toBe(token.hello)
          expect(await verified(token.token), token.name).toBe(token.verify === 200)
        }
      })

      it('gives every refresh token the verdict the old version gave it at verify', async () => {
        for (const token of data.tokens.filter((entry) => entry.type === 'refresh')) {
          expect(await verified(token.token), `${token.name}: ${token.note}`).toBe(
            token.verify === 200,
          )
        }
      })

      it('publishes every signing key that signed a live token', async () => {
        const { body } = await inject('GET', '/.well-known/jwks.json')
        const published = (body as unknown as { keys: { kid: string }[] }).keys.map((k) => k.kid)
        for (const token of data.tokens.filter((entry) => entry.verify === 200))
          expect(published, token.name).toContain(token.kid)
      })

      it('refreshes every live refresh token, then refuses every revoked one', async () => {
        const refreshes = data.tokens.filter((entry) => entry.type === 'refresh')
        expect(refreshes.filter((entry) => entry.expected === 'live').length).toBeGreaterThan(0)
        expect(refreshes.filter((entry) => entry.expected === 'revoked').length).toBeGreaterThan(0)
        // Live ones first: refreshing a rotated-away token ends its whole family (reuse).
        for (const token of refreshes.filter((entry) => entry.expected === 'live')) {
          const answer = await inject('POST', '/api/token/refresh/', { refresh: token.token })
          expect(answer.status, `${token.name}: ${token.note}`).toBe(200)
          expect(await hello(answer.body.access ?? ''), token.name).toBe(200)
          successors.set(token.name, answer.body)
        }
        for (const token of refreshes.filter((entry) => entry.expected === 'revoked')) {
          const answer = await inject('POST', '/api/token/refresh/', { refresh: token.token })
          expect(answer.status, `${token.name}: ${token.note}`).toBe(401)
        }
      })

      it('lets the current code end a session the old version started, and every token of a user', async () => {
        // A live session of the old version, refreshed and logged out by the current code.
        const successor = successors.get('carol-other-session')
        const pair = await inject('POST', '/api/token/refresh/', { refresh: successor?.refresh })
        expect(pair.status).toBe(200)
        const logout = await inject(
          'POST',
          '/api/token/blacklist/',
          { refresh: pair.body.refresh },
          pair.body.access,
        )
        expect(logout.status).toBe(200)
        expect(await hello(pair.body.access ?? '')).toBe(401)
        // Logging out everywhere ends the access tokens the old version issued too.
        const admin = await inject('POST', '/api/token/', {
          username: 'admin',
          password: passwords.get('admin'),
        })
        expect((await inject('POST', '/api/logout/all/', {}, admin.body.access)).status).toBe(200)
        for (const old of data.tokens.filter(
          (entry) => entry.user === 'admin' && entry.type === 'access',
        ))
          expect(await hello(old.token), old.name).toBe(401)
      })

      // Delivers the outbox until `smtp` has received `count` messages, polling (at least 10 s):
      // the reset views enqueue after they answer.
      const delivered = async (count: number): Promise<ReceivedMail[]> => {
        for (let round = 0; round < 1000 && smtp.received.length < count; round++) {
          await server.mailSender.drain()
          await new Promise((resolve) => setTimeout(resolve, 10))
        }
        expect(smtp.received.length).toBe(count)
        return smtp.received.slice(count - 1)
      }
      const confirmReset = async (mail: ReceivedMail, username: string) => {
        const password = `${username} reset after the upgrade 5`
        const answer = await inject('POST', '/auth/users/reset_password_confirm/', {
          ...linkOf(mail),
          new_password: password,
        })
        expect(answer.status, username).toBe(204)
        passwords.set(username, password)
      }

      it('delivers mail the old version queued, and resets by the address of an old user', async () => {
        let sent = 0
        if (fixture.features.mail) {
          // The old version's attempt failed (no SMTP server then): it is due again 30 s later.
          advanceClock(120)
          const [queued] = await delivered(1)
          expect(queued?.to).toEqual(['alice@example.com'])
          await confirmReset(queued as ReceivedMail, 'alice')
          sent = 1
        }
        // Found by its case-folded key, which 0006 computed for rows written before it.
        const reset = await inject('POST', '/auth/users/reset_password/', {
          email: 'BOB@Example.COM',
        })
        expect(reset.status).toBe(204)
        const [mail] = await delivered(sent + 1)
        expect(mail?.to).toEqual(['bob@example.com'])
        await confirmReset(mail as ReceivedMail, 'bob')
      })

      it('logs every user in with their password; the deactivated one is refused', async () => {
        for (const [username, user] of Object.entries(data.users)) {
          const password = passwords.get(username)
          const answer = await inject('POST', '/api/token/', { username, password })
          if (user.active === false) expect(answer.status, username).toBe(401)
          else if (username === data.mfa.user)
            expect(answer.body.code, username).toBe('mfa_required')
          else {
            expect(answer.status, username).toBe(200)
            expect(await hello(answer.body.access ?? ''), username).toBe(200)
          }
        }
        const wrong = await inject('POST', '/api/token/', { username: 'alice', password: 'wrong' })
        expect(wrong.status).toBe(401)
      })

      it('repairs the email keys an older instance, still running beside the upgrade, leaves', async () => {
        // What a pre-0006 instance writes after 0006 was applied (reproduced with 47f6b36's
        // server): a new user without a key (the column's default) and a changed address with
        // its old key. The next migrate (any start, `tessera migrate`) computes them.
        await restored.run("update users set email_key = '' where username = 'dave'")
        await restored.run(
          "update users set email = 'Carol.New@example.com' where username = 'carol'",
        )
        expect((await stores.migrate()).applied).toEqual([])
        const keys = new Map(
          ((await restored.readRows()).users ?? []).map((user) => [user.username, user.email_key]),
        )
        expect(keys.get('dave')).toBe('dave@example.com')
        expect(keys.get('carol')).toBe('carol.new@example.com')
        const reset = await inject('POST', '/auth/users/reset_password/', {
          email: 'carol.NEW@example.com',
        })
        expect(reset.status).toBe(204)
        const [mail] = await delivered(smtp.received.length + 1)
        expect(mail?.to).toEqual(['Carol.New@example.com'])
      })

      if (fixture.features.mfa) {
        it('keeps the second factor: TOTP, recovery codes (the used one stays used), the remembered device', async () => {
          const { user, secret, usedRecoveryCode, recoveryCodes, deviceToken } = data.mfa
          const password = passwords.get(user ?? '')
          const challenge = async () => {
            const answer = await inject('POST', '/api/token/', { username: user, password })
            expect(answer.body.code).toBe('mfa_required')
            return answer.body.mfa_token
          }
          const step = async (fields: object) =>
            (await inject('POST', '/api/token/mfa/', { mfa_token: await challenge(), ...fields }))
              .status
          expect(await step({ recovery_code: usedRecoveryCode })).toBe(401)
          expect(await step({ recovery_code: recoveryCodes?.[0] })).toBe(200)
          // A later time step than any the old version accepted (each step is accepted once).
          advanceClock(60)
          expect(await step({ code: totpCode(secret ?? '', Date.now() / 1000) })).toBe(200)
          const remembered = await inject('POST', '/api/token/', {
            username: user,
            password,
            device_token: deviceToken,
          })
          expect(remembered.status).toBe(200)
        })
      }
    })
  }
}
