import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  killServedTessera,
  requireBuiltCli,
  runTessera,
  type ServedTessera,
  serveTessera,
} from '../cli/run-tessera.js'
import { createTestDatabase, helloStatus, sessionIdOf } from '../cli/service-fixtures.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { type DatabaseAt, familyOf, probeDatabase } from './database-probe.js'
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

// Issue 31: a worker dies by SIGKILL after it consumed a refresh token (the successor committed)
// and before the answer left: the test-only fault point TESSERA_FAULT_POINT=after-refresh-consume.
// Contract (REFRESH_REUSE_INTERVAL 0, the default): the consumed token is spent, so the client's
// retry is a reuse, which ends the session (RFC 9700 4.14.2): a clear 401, and the successor the
// client never received dies with it. Never two successors, never the consumed token again.

const tempDir = useTempDirs()
const PARALLEL = 6
const HANDOFF_TIMEOUT_MS = 3000

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

async function serveWithFault(env: Record<string, string>): Promise<ServedTessera> {
  const cwd = tempDir()
  const served = await serveTessera(['--workers', '2'], {
    cwd,
    env: {
      NODE_ENV: 'test',
      TESSERA_FAULT_POINT: 'after-refresh-consume',
      TESSERA_DATA_DIR: join(cwd, 'data'),
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
      ...env,
    },
  })
  // serveTessera resolves at the first worker's banner. With --port 0, a worker killed before
  // the other one listens takes the primary's handle, and its random port, with it: the second
  // would bind another. Both must share the port before the first dies.
  await waitFor('both workers listening on one port', async () => {
    const banners = served.output().match(/listening on (\S+)/g) ?? []
    return banners.length >= 2 ? banners : undefined
  }).then((banners) => expect(new Set(banners).size).toBe(1))
  return served
}

/** Both workers answer (a killed one was restarted by the primary). */
async function bothWorkersUp(served: ServedTessera, deaths: number): Promise<void> {
  await waitFor('the primary restarted the killed worker', async () => {
    const restarts = served.output().match(/exited \(SIGKILL\); restarting/g)?.length ?? 0
    return restarts >= deaths && (await fetch(`${served.url}/healthz`)).ok ? true : undefined
  }).catch((error: Error) => {
    throw new Error(`${error.message}; the server said:\n${served.output().slice(-2500)}`)
  })
}

function crashScenario(
  name: string,
  setUp: () => Promise<{ env: Record<string, string>; at: DatabaseAt }>,
) {
  it(`${name}: ${PARALLEL} parallel refreshes, one consumes and its worker dies; never two successors, the retry is a clear 401`, async () => {
    const { env, at } = await setUp()
    const served = await serveWithFault(env)
    await register(served.url, 'mary')
    const first = await login(served.url, 'mary')
    expect(first.status).toBe(200)
    const pair = first.body as unknown as Pair
    const sessionId = sessionIdOf(pair.refresh)

    // The same refresh token, sent at once on separate connections to both workers. A
    // connection the primary was handing to the worker as it died is never answered (node:cluster
    // round robin loses it): the client's timeout ends it, counted as dropped.
    const answers: Answer[] = await Promise.all(
      Array.from({ length: PARALLEL }, () => refresh(served.url, pair.refresh, HANDOFF_TIMEOUT_MS)),
    )
    // The winner's worker died before answering (0: connection dropped); the others either
    // died with it (in flight on the same worker) or saw a reuse: 401, never a token.
    for (const answer of answers) expect([0, 401]).toContain(answer.status)
    expect(answers.some((answer) => answer.status === 0)).toBe(true)
    await bothWorkersUp(served, 1)

    // The client retries with the token it holds: a clear answer, the contract's 401 body.
    const retry = await refresh(served.url, pair.refresh)
    expect(retry.status).toBe(401)
    expect(retry.body.code).toBe('token_not_valid')
    expect(await refresh(served.url, pair.refresh)).toMatchObject({ status: 401 })

    const probe = await probeDatabase(at)
    try {
      const family = await familyOf(probe, sessionId)
      // Exactly one successor: the presented token consumed once, replaced by the one new row.
      expect(family.tokens).toHaveLength(2)
      const [consumed, successor] = family.tokens
      expect(consumed?.jti).toBe(jtiOf(pair.refresh))
      expect(consumed?.consumed_at).not.toBeNull()
      expect(consumed?.replaced_by).toBe(successor?.jti)
      expect(successor?.consumed_at).toBeNull()
      // The reuse ended the session: the successor the client never received is dead too.
      expect(family.session?.revoked_at).not.toBeNull()
      expect(family.session?.revoke_reason).toBe('reuse_detected')
    } finally {
      await probe.close()
    }
    // The session's access token is refused by every worker: new connections, which the
    // primary deals out in turn, reach both.
    for (let i = 0; i < 4; i++) {
      const hello = await fetch(`${served.url}/api/hello/`, {
        headers: { authorization: `Bearer ${pair.access}`, connection: 'close' },
      })
      await hello.arrayBuffer()
      expect(hello.status).toBe(401)
    }
    // The user is not locked out: a new login opens a new session that works.
    const second = await login(served.url, 'mary')
    expect(second.status).toBe(200)
    expect(await helloStatus(served.url, (second.body as unknown as Pair).access)).toBe(200)
  }, 60_000)
}

describe('SIGKILL between consuming a refresh token and answering', () => {
  crashScenario('SQLite, --workers 2', async () => {
    const cwd = tempDir()
    const dataDir = join(cwd, 'data')
    return {
      env: { TESSERA_DATA_DIR: dataDir },
      at: { sqlite: join(dataDir, 'tessera.sqlite3') },
    }
  })

  describe('on PostgreSQL', () => {
    let postgres: PrivatePostgres
    beforeAll(async () => {
      postgres = await privatePostgres()
      await postgres.start()
    }, 60_000)
    afterAll(() => postgres?.destroy(), 30_000)

    crashScenario('PostgreSQL, --workers 2', async () => {
      const database = await createTestDatabase(postgres.url)
      return { env: { TESSERA_DATABASE_URL: database.url }, at: { postgres: database.url } }
    })
  })

  it('refuses to start with the fault point outside NODE_ENV=test', async () => {
    const cwd = tempDir()
    const result = await runTessera(['serve', '--port', '0'], {
      cwd,
      env: {
        NODE_ENV: 'production',
        TESSERA_FAULT_POINT: 'after-refresh-consume',
        TESSERA_DATA_DIR: join(cwd, 'data'),
      },
      timeoutMs: 20_000,
    })
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('TESSERA_FAULT_POINT is a test-only fault injection flag')
    expect(result.stdout).not.toContain('listening')
  })
})
