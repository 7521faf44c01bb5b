import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { ignoreCheckedOutErrors } from '../../src/stores/postgres-pool.js'
import { killServedTessera, requireBuiltCli, serveTessera } from '../cli/run-tessera.js'
import { createTestDatabase, helloStatus } from '../cli/service-fixtures.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { probeDatabase } from './database-probe.js'
import {
  type Answer,
  jtiOf,
  login,
  type Pair,
  refresh,
  register,
  waitFor,
} from './fault-fixtures.js'
import { type PrivatePostgres, privatePostgres } from './private-postgres.js'

// Issue 31: PostgreSQL stops (pg_ctl -m immediate: every connection drops, as in a crash) while
// clients log in and refresh. While it is down every login and refresh answers 503 with
// Retry-After: never a token the database does not hold, never a 401 that would send the user
// to the login page for nothing. When it returns, the same server recovers by itself.

const tempDir = useTempDirs()
const CLIENTS = 4

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

/** What one client saw: each answer, and the tokens of the 200s. */
interface Seen {
  readonly kind: 'login' | 'refresh'
  readonly answer: Answer
  /** The refresh token presented (refresh only). */
  readonly presented?: string
}

/**
 * A client that logs in once, then refreshes in a loop with the newest refresh token it holds,
 * logging in again when it holds none. After a 503 it keeps its token and retries it: a refresh
 * the database did not commit must not have spent the token.
 */
function client(baseUrl: string, username: string, seen: Seen[], running: () => boolean) {
  return (async () => {
    let held: Pair | undefined
    while (running()) {
      if (held === undefined) {
        const answer = await login(baseUrl, username)
        seen.push({ kind: 'login', answer })
        if (answer.status === 200) held = answer.body as unknown as Pair
      } else {
        const presented = held.refresh
        const answer = await refresh(baseUrl, presented)
        seen.push({ kind: 'refresh', answer, presented })
        if (answer.status === 200) held = answer.body as unknown as Pair
        else if (answer.status !== 503) held = undefined
      }
      if (seen.at(-1)?.answer.status === 503) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    return held
  })()
}

describe('PostgreSQL stopped during logins and refreshes', () => {
  let postgres: PrivatePostgres
  beforeAll(async () => {
    postgres = await privatePostgres()
    await postgres.start()
  }, 60_000)
  afterAll(() => postgres?.destroy(), 30_000)

  it('a pool client checked out when the server goes away does not crash the process', async () => {
    const { default: pg } = await import('pg')
    const pool = new pg.Pool({ connectionString: postgres.url })
    pool.on('error', () => {})
    ignoreCheckedOutErrors(pool)
    const client = await pool.connect()
    const uncaught: unknown[] = []
    const onUncaught = (error: unknown) => uncaught.push(error)
    process.on('uncaughtException', onUncaught)
    try {
      await postgres.stop()
      // The lost connection is reported to the next query on the client, not to the process.
      await expect(client.query('select 1')).rejects.toThrow()
      expect(uncaught).toEqual([])
    } finally {
      process.removeListener('uncaughtException', onUncaught)
      client.release(true)
      await pool.end()
      await postgres.start()
    }
  })

  it('answers 503 with Retry-After while it is down, never an unstored token or a 401, and recovers by itself', async () => {
    const database = await createTestDatabase(postgres.url)
    const cwd = tempDir()
    const served = await serveTessera([], {
      cwd,
      env: {
        TESSERA_DATA_DIR: join(cwd, 'data'),
        TESSERA_DATABASE_URL: database.url,
        TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
        // Clients retry logins every 20 ms while it is down: not what this test is about.
        TESSERA_THROTTLE_LOGIN_IP: '100000/min',
        TESSERA_THROTTLE_LOGIN_USERNAME: '100000/min',
      },
    })
    const users = Array.from({ length: CLIENTS }, (_, i) => `user${i}`)
    for (const user of users) await register(served.url, user)
    const before = (await login(served.url, 'user0')).body as unknown as Pair

    const seen: Seen[] = []
    let running = true
    const clients = users.map((user) => client(served.url, user, seen, () => running))
    const count = (status: number) => seen.filter((s) => s.answer.status === status).length

    // Some traffic first, then the crash in the middle of it.
    await waitFor('traffic before the outage', async () => (count(200) >= 8 ? true : undefined))
    await postgres.stop()
    const outageFrom = seen.length
    await waitFor('503s during the outage', async () =>
      seen.slice(outageFrom).filter((s) => s.answer.status === 503).length >= 8 ? true : undefined,
    ).catch((error) => {
      throw new Error(`${error.message}; server said ${served.output().slice(-3000)}`)
    })
    // Down: refresh tokens held from before are answered 503 too, and verified access tokens
    // are refused (the LISTEN connection is gone: the revocation view fails closed).
    const downRefresh = await refresh(served.url, before.refresh)
    expect(downRefresh.status).toBe(503)
    expect(downRefresh.retryAfter).toMatch(/^\d+$/)
    expect(downRefresh.body).toEqual({
      detail: 'Service temporarily unavailable, try again later.',
      code: 'service_unavailable',
    })
    expect(await helloStatus(served.url, before.access)).toBe(503)
    const outageTo = seen.length

    await postgres.start()
    const backFrom = seen.length
    await waitFor(
      'logins and refreshes succeed again without restarting the server',
      async () =>
        seen.slice(backFrom).filter((s) => s.answer.status === 200).length >= 2 * CLIENTS
          ? true
          : undefined,
      30_000,
    )
    running = false
    const held = await Promise.all(clients)

    // Every answer was 200 or 503, and every 503 carried Retry-After: no 401, no 500.
    const unexpected = seen
      .map((s, index) => ({ index, kind: s.kind, status: s.answer.status, body: s.answer.body }))
      .filter((s) => s.status !== 200 && s.status !== 503)
    expect(unexpected, `outage ${outageFrom}-${outageTo}, back ${backFrom}`).toEqual([])
    for (const s of seen) {
      if (s.answer.status === 503) expect(s.answer.retryAfter).toMatch(/^\d+$/)
    }
    const during = seen.slice(outageFrom, outageTo)
    expect(during.filter((s) => s.answer.status === 503).length).toBeGreaterThanOrEqual(8)

    // Every token handed out is stored: each 200's refresh jti is in the database, each
    // presented (consumed) one was consumed exactly once, by the answer that followed it.
    const probe = await probeDatabase({ postgres: database.url })
    try {
      for (const s of seen.filter((s) => s.answer.status === 200)) {
        const jti = jtiOf((s.answer.body as unknown as Pair).refresh)
        const rows = await probe.all('select consumed_at from refresh_tokens where jti = ?', [jti])
        expect(rows, `${s.kind} 200 with an unstored token`).toHaveLength(1)
      }
      const revoked = await probe.all('select id from sessions where revoked_at is not null')
      expect(revoked).toEqual([])
    } finally {
      await probe.close()
    }
    // The LISTEN connection is back (its own backoff): ready, then the pair from before the
    // outage works as if nothing happened.
    await waitFor('ready again', async () =>
      (await fetch(`${served.url}/readyz`)).status === 200 ? true : undefined,
    )
    expect(await helloStatus(served.url, before.access)).toBe(200)
    // So does the newest pair each client holds, issued before, during or after the outage.
    for (const pair of held) {
      expect(pair).toBeDefined()
      expect(await helloStatus(served.url, (pair as Pair).access)).toBe(200)
      expect((await refresh(served.url, (pair as Pair).refresh)).status).toBe(200)
    }
    expect((await refresh(served.url, before.refresh)).status).toBe(200)
  }, 90_000)
})
