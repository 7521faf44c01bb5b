import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import type { ConsumeResult, MigrationReport } from '@tessera/core'
import { AuthService, loadSettings, PasswordHasher } from '@tessera/core'
import { createSqliteStores } from '@tessera/core/sqlite'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { NOW, successorAt, userWithSession } from './conformance/fixtures.js'
import { createTempSqliteFile, type TempSqliteFile } from './sqlite-fixture.js'
import { race } from './sqlite-race.js'

const BUILT_ENTRY = new URL('../../dist/stores/sqlite/index.js', import.meta.url)
const CONTENDERS = 50
// Each worker loads Kysely and better-sqlite3 into a fresh isolate: ~0.4 s of CPU apiece, so 50 of
// them take tens of seconds to get ready on a small machine. The race itself takes milliseconds.
const WORKER_TEST_TIMEOUT = 180_000

describe('sqlite: real parallelism across connections (worker threads, one WAL file)', () => {
  let file: TempSqliteFile | undefined

  beforeAll(() => {
    if (!existsSync(fileURLToPath(BUILT_ENTRY))) {
      throw new Error(
        'packages/core/dist/stores/sqlite/index.js is missing: the workers import the built ' +
          'package, run npm run build first',
      )
    }
  })

  afterEach(async () => {
    await file?.remove()
    file = undefined
  })

  it(
    `lets exactly one of ${CONTENDERS} connections rotate one refresh token`,
    async () => {
      file = await createTempSqliteFile()
      const database = await file.open()
      const stores = await createSqliteStores({ database })
      const { input } = await userWithSession(stores, 'alice')
      const successors = Array.from({ length: CONTENDERS }, () => successorAt(NOW + 30))

      const results = await race<ConsumeResult>(
        successors.map((successor) => ({
          task: 'consume',
          path: file?.path,
          jti: input.token.jti,
          now: NOW + 30,
          successor,
        })),
      )

      const outcomes = results.map((result) => result.outcome)
      expect(outcomes.filter((outcome) => outcome === 'rotated')).toHaveLength(1)
      expect(outcomes.filter((outcome) => outcome === 'consumed')).toHaveLength(CONTENDERS - 1)
      const winner = successors[outcomes.indexOf('rotated')]
      const rows = database
        .prepare('select jti from refresh_tokens where family_id = ? order by jti')
        .all([input.session.id]) as { jti: string }[]
      expect(rows.map((row) => row.jti).sort()).toEqual([input.token.jti, winner?.jti].sort())
      expect(await stores.sessions.findRefreshToken(input.token.jti)).toMatchObject({
        consumedAt: NOW + 30,
        replacedBy: winner?.jti,
      })
    },
    WORKER_TEST_TIMEOUT,
  )

  it(
    `rotates one refresh token through ${CONTENDERS} AuthServices on separate connections: one successor`,
    async () => {
      file = await createTempSqliteFile()
      const database = await file.open()
      const stores = await createSqliteStores({ database })
      const signingKey = 'worker-signing-key-0123456789abcdef-0123456789'
      const settings = loadSettings({
        env: {},
        configFile: false,
        overrides: { SIGNING_KEY: signingKey },
      })
      const auth = new AuthService({
        stores,
        settings,
        hasher: new PasswordHasher({ argon2: { memoryCost: 1024, timeCost: 1 } }),
      })
      await auth.register({ username: 'alice', password: 'correct horse battery' })
      const login = await auth.login('alice', 'correct horse battery', {
        ip: '::1',
        device: 'test',
      })

      const results = await race<{ rotated?: string; refused?: string }>(
        Array.from({ length: CONTENDERS }, () => ({
          task: 'rotate',
          path: file?.path,
          refreshToken: login.refresh.token,
          signingKey,
        })),
      )

      // Exactly one mints a successor; with the default reuse interval of 0 every other
      // contender is a reuse of a consumed token, so the family ends revoked.
      const winners = results.filter((result) => result.rotated !== undefined)
      expect(winners).toHaveLength(1)
      expect(results.filter((result) => result.refused === 'token_revoked')).toHaveLength(
        CONTENDERS - 1,
      )
      const rows = database
        .prepare('select jti from refresh_tokens where family_id = ?')
        .all([login.sessionId]) as { jti: string }[]
      expect(rows).toHaveLength(2)
      expect((await stores.sessions.findSession(login.sessionId))?.revokeReason).toBe(
        'reuse_detected',
      )
    },
    WORKER_TEST_TIMEOUT,
  )

  it(
    'lets 8 connections migrate a new file at once: exactly one applies the migrations',
    async () => {
      file = await createTempSqliteFile()
      const path = file.path
      const reports = await race<MigrationReport>(
        Array.from({ length: 8 }, () => ({ task: 'migrate', path })),
      )
      expect(reports.flatMap((report) => report.applied)).toEqual([
        '0001_initial',
        '0002_revocation_change_indexes',
        '0003_signing_keys',
        '0004_revoked_sessions',
        '0005_mfa',
        '0006_mail_outbox',
        '0007_admin_indexes',
        '0008_passkeys',
      ])
      const stores = await createSqliteStores({ database: await file.open() })
      expect(await stores.migrate()).toEqual({ applied: [] })
    },
    WORKER_TEST_TIMEOUT,
  )
})
