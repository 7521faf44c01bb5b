import { readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { MigrationReport, Stores } from '@tessera/core'
import { totpCode } from '@tessera/core/mfa'
import { buildServer, loadServerConfig, openStores, type TesseraServer } from '@tessera/server'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
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
    expect(fixtures.map((fixture) => number(fixture.migrations.at(-1) ?? ''))).toEqual(
      CURRENT_MIGRATIONS.filter((migration) => migration >= '0003'),
    )
  })

  for (const fixture of fixtures) {
    describe(`a ${backend} database written by ${fixture.commit} (schema ${number(fixture.migrations.at(-1) ?? '')})`, () => {
      const data: FixtureBackend = fixture.backends[backend]
      let restored: RestoredDatabase
      let before: TableRows
      let report: MigrationReport
      let stores: Stores
      let server: TesseraServer

      beforeAll(async () => {
        // Only Date is frozen: timers stay real, so drivers and worker threads run as usual.
        vi.useFakeTimers({ toFake: ['Date'], now: data.now * 1000 })
        restored = await restore(fixture)
        before = await restored.readRows()
        const config = loadServerConfig({
          env: {
            ...fixture.settings,
            ...restored.env,
            TESSERA_EMAIL_BACKEND: 'console',
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
          mailOutput: { write: () => {} },
        })
      })

      afterAll(async () => {
        await server?.close()
        await stores?.close()
        await restored?.drop()
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
        return { status: response.statusCode, body: response.json() as Record<string, string> }
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
        expect(report.applied.map(number)).toEqual(
          CURRENT_MIGRATIONS.filter(
            (migration) => !fixture.migrations.map(number).includes(migration),
          ),
        )
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
        const kids = new Set((after.signing_keys ?? []).map((row) => row.kid))
        for (const token of data.tokens) expect(kids.has(token.kid), token.name).toBe(true)
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
        }
        for (const token of refreshes.filter((entry) => entry.expected === 'revoked')) {
          const answer = await inject('POST', '/api/token/refresh/', { refresh: token.token })
          expect(answer.status, `${token.name}: ${token.note}`).toBe(401)
        }
      })

      it('logs every user in with their password; the deactivated one is refused', async () => {
        for (const [username, user] of Object.entries(data.users)) {
          const answer = await inject('POST', '/api/token/', { username, password: user.password })
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

      if (fixture.features.mfa) {
        it('keeps the second factor: TOTP, recovery codes (the used one stays used), the remembered device', async () => {
          const { user, secret, usedRecoveryCode, recoveryCodes, deviceToken } = data.mfa
          const password = data.users[user ?? '']?.password
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
          vi.setSystemTime((data.now + 60) * 1000)
          expect(await step({ code: totpCode(secret ?? '', data.now + 60) })).toBe(200)
          const remembered = await inject('POST', '/api/token/', {
            username: user,
            password,
            device_token: deviceToken,
          })
          expect(remembered.status).toBe(200)
          vi.setSystemTime(data.now * 1000)
        })
      }
    })
  }
}
