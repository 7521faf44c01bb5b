import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import {
  killServedTessera,
  requireBuiltCli,
  runTessera,
  type ServedTessera,
  serveTessera,
} from './run-tessera.js'

const tempDir = useTempDirs()
const PASSWORD = 'correct horse battery staple'

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

/** Starts `tessera serve --port 0 ...args` on the data directory of `cwd`. */
function serve(cwd: string, args: string[]): Promise<ServedTessera> {
  const env = { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_SIGNING_KEY: TEST_SIGNING_KEY }
  return serveTessera(args, { cwd, env })
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, string> }
}

/** Status codes of `count` hello requests, each on a new connection (spread over the workers). */
async function helloStatuses(url: string, access: string, count: number): Promise<number[]> {
  const statuses: number[] = []
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}/api/hello/`, {
      headers: { authorization: `Bearer ${access}`, connection: 'close' },
    })
    statuses.push(response.status)
    await response.arrayBuffer()
  }
  return statuses
}

/**
 * Polls until `count` hello requests on new connections (spread over the workers) all answer
 * `status`; resolves to the milliseconds it took, or fails after `limitMs`.
 */
async function millisUntilEveryWorker(
  url: string,
  access: string,
  status: number,
  limitMs: number,
  count = 6,
): Promise<number> {
  const started = performance.now()
  let statuses = await helloStatuses(url, access, count)
  while (statuses.some((each) => each !== status)) {
    if (performance.now() - started > limitMs) {
      throw new Error(`still ${statuses.join(',')} after ${limitMs} ms; expected ${status}`)
    }
    statuses = await helloStatuses(url, access, count)
  }
  return performance.now() - started
}

function sessionIdOf(token: string): string {
  return String(JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()).sid)
}

describe('tessera serve --workers 2 on one SQLite file', () => {
  it('logout on one worker refuses the access token on every worker, across a restart', async () => {
    const cwd = tempDir()
    let server = await serve(cwd, ['--workers', '2'])
    await post(`${server.url}/api/register/`, { username: 'mary', password: PASSWORD })
    const login = await post(`${server.url}/api/token/`, { username: 'mary', password: PASSWORD })
    expect(login.status).toBe(200)
    const { access, refresh } = login.body as { access: string; refresh: string }
    expect(await helloStatuses(server.url, access, 6)).toEqual([200, 200, 200, 200, 200, 200])

    const out = await post(
      `${server.url}/api/token/blacklist/`,
      { refresh },
      {
        authorization: `Bearer ${access}`,
      },
    )
    expect(out).toEqual({ status: 200, body: {} })
    // The worker that served the logout revoked it before answering; the others hear it over
    // IPC, within the bus's bound (1 s).
    await millisUntilEveryWorker(server.url, access, 401, 1000, 10)

    expect(await server.stop()).toBe(0)
    server = await serve(cwd, ['--workers', '2'])
    expect(await helloStatuses(server.url, access, 4)).toEqual([401, 401, 401, 401])
    expect(await server.stop()).toBe(0)
  }, 120_000)

  it('revoking a session on one worker ends its access token on every worker within 1 s', async ({
    annotate,
  }) => {
    const cwd = tempDir()
    const server = await serve(cwd, ['--workers', '2'])
    await post(`${server.url}/api/register/`, { username: 'kim', password: PASSWORD })
    const credentials = { username: 'kim', password: PASSWORD }
    const phone = (await post(`${server.url}/api/token/`, credentials)).body
    const laptop = (await post(`${server.url}/api/token/`, credentials)).body
    const phoneAccess = phone.access as string
    expect(await helloStatuses(server.url, phoneAccess, 4)).toEqual([200, 200, 200, 200])
    const revoked = await fetch(`${server.url}/api/sessions/${sessionIdOf(phoneAccess)}/`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${laptop.access}`, connection: 'close' },
    })
    expect(revoked.status).toBe(204)
    const lag = await millisUntilEveryWorker(server.url, phoneAccess, 401, 1000)
    await annotate(`session revoked on one worker: every worker refused after ${lag.toFixed(1)} ms`)
    expect(await helloStatuses(server.url, laptop.access as string, 4)).toEqual([
      200, 200, 200, 200,
    ])
    expect(await server.stop()).toBe(0)
  }, 120_000)

  it("the CLI's users deactivate reaches every worker within 2 s (no bus between them)", async () => {
    const cwd = tempDir()
    const server = await serve(cwd, ['--workers', '2'])
    await post(`${server.url}/api/register/`, { username: 'eve', password: PASSWORD })
    const login = await post(`${server.url}/api/token/`, { username: 'eve', password: PASSWORD })
    const access = login.body.access as string
    expect(await helloStatuses(server.url, access, 4)).toEqual([200, 200, 200, 200])
    const run = await runTessera(['users', 'deactivate', 'eve'], {
      cwd,
      env: { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_SIGNING_KEY: TEST_SIGNING_KEY },
    })
    expect(run.status).toBe(0)
    // SQLite without Redis: each worker re-reads the file's revocations every second, so
    // within 2 s every worker refuses (checked over several new connections at once).
    await millisUntilEveryWorker(server.url, access, 401, 2000)
    expect(await server.stop()).toBe(0)
  }, 120_000)

  it('lets exactly one of 50 concurrent refreshes across the workers mint a successor', async () => {
    const cwd = tempDir()
    const server = await serve(cwd, ['--workers', '2'])
    await post(`${server.url}/api/register/`, { username: 'ann', password: PASSWORD })
    const login = await post(`${server.url}/api/token/`, { username: 'ann', password: PASSWORD })
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        post(
          `${server.url}/api/token/refresh/`,
          { refresh: login.body.refresh },
          { connection: 'close' },
        ),
      ),
    )
    expect(results.filter((result) => result.status === 200)).toHaveLength(1)
    expect(results.filter((result) => result.status === 401)).toHaveLength(49)
    expect(await server.stop()).toBe(0)
  }, 120_000)
})
