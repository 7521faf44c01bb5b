import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { openRaw, parseRawResponse } from '../http/raw-http.js'
import { useTempDirs } from '../temp-dir.js'
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

/** Starts `tessera serve --port 0` with `env`. */
function serve(cwd: string, env: Record<string, string>): Promise<ServedTessera> {
  return serveTessera([], { cwd, env })
}

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  const json = (await response.json()) as Record<string, string>
  return { status: response.status, body: json, headers: response.headers }
}

describe('tessera serve over a real socket', () => {
  // Four processes one after another: on two busy cores that outlasts the default 30 s.
  it('logs in a superuser made by createsuperuser --no-input', { timeout: 90_000 }, async () => {
    const cwd = tempDir()
    const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
    const created = await runTessera(
      ['createsuperuser', '--no-input', '--username', 'admin', '--email', 'admin@example.com'],
      { cwd, env: { ...env, TESSERA_SUPERUSER_PASSWORD: PASSWORD } },
    )
    expect(created.status).toBe(0)

    const server = await serve(cwd, env)
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(server.output()).toContain(
      `Database:     SQLite ${join(cwd, 'data', 'tessera.sqlite3')}`,
    )
    expect(server.output()).toMatch(/Signing key: {2}development key generated in .*signing-key/)

    const wrong = await post(`${server.url}/api/token/`, { username: 'admin', password: 'nope' })
    expect(wrong.status).toBe(401)
    expect(wrong.body).toEqual({ detail: 'No active account found with the given credentials' })

    const login = await post(`${server.url}/api/token/`, { username: 'admin', password: PASSWORD })
    expect(login.status).toBe(200)
    expect(Object.keys(login.body)).toEqual(['refresh', 'access'])
    const hello = await fetch(`${server.url}/api/hello/`, {
      headers: { authorization: `Bearer ${login.body.access}` },
    })
    expect(hello.status).toBe(200)

    const sessions = await runTessera(['users', 'show', 'admin', '--json'], { cwd, env })
    expect(JSON.parse(sessions.stdout)).toMatchObject({ last_login: null, active_sessions: 1 })

    // Deactivation from another process revokes the session in the shared database.
    const off = await runTessera(['users', 'deactivate', 'admin'], { cwd, env })
    expect(off.status).toBe(0)
    const refresh = await post(`${server.url}/api/token/refresh/`, { refresh: login.body.refresh })
    expect(refresh.status).toBe(401)
    const refused = await post(`${server.url}/api/token/`, {
      username: 'admin',
      password: PASSWORD,
    })
    expect(refused.status).toBe(401)
    const after = await runTessera(['users', 'show', 'admin', '--json'], { cwd, env })
    expect(JSON.parse(after.stdout)).toMatchObject({ is_active: false, active_sessions: 0 })

    expect((await runTessera(['users', 'activate', 'admin'], { cwd, env })).status).toBe(0)
    const again = await post(`${server.url}/api/token/`, { username: 'admin', password: PASSWORD })
    expect(again.status).toBe(200)

    expect(await server.stop()).toBe(0)
    expect(server.output()).not.toContain(PASSWORD)
    expect(server.output()).not.toContain(login.body.access)
  })

  it('smoke: register, obtain, hello, refresh, verify, blacklist; then stops cleanly', async () => {
    const cwd = tempDir()
    const server = await serve(cwd, { TESSERA_DATA_DIR: join(cwd, 'data') })
    const { url } = server

    expect(await (await fetch(`${url}/healthz`)).json()).toEqual({ status: 'ok' })
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' })

    const register = await post(`${url}/api/register/`, {
      username: 'alice',
      password: PASSWORD,
      email: 'alice@example.com',
      first_name: 'Alice',
      last_name: 'Liddell',
    })
    expect(register.status).toBe(201)
    expect(register.body).toEqual({
      id: expect.any(String),
      username: 'alice',
      email: 'alice@example.com',
      first_name: 'Alice',
      last_name: 'Liddell',
    })

    const obtain = await post(`${url}/api/token/`, { username: 'alice', password: PASSWORD })
    expect(obtain.status).toBe(200)
    const { access, refresh } = obtain.body

    const hello = await fetch(`${url}/api/hello/`, {
      headers: { authorization: `Bearer ${access}` },
    })
    expect(hello.status).toBe(200)
    expect(await hello.json()).toEqual({ msg: 'Hello Alice Liddell' })

    const refreshed = await post(`${url}/api/token/refresh/`, { refresh })
    expect(refreshed.status).toBe(200)
    expect(Object.keys(refreshed.body).sort()).toEqual(['access', 'refresh'])

    const verify = await post(`${url}/api/token/verify/`, { token: refreshed.body.access })
    expect(verify.status).toBe(200)
    expect(verify.body).toEqual({})

    const blacklist = await post(`${url}/api/token/blacklist/`, { refresh: refreshed.body.refresh })
    expect(blacklist.status).toBe(200)
    expect(blacklist.body).toEqual({})

    const reuse = await post(`${url}/api/token/refresh/`, { refresh: refreshed.body.refresh })
    expect(reuse.status).toBe(401)
    expect(reuse.body).toEqual({ detail: 'Token is blacklisted', code: 'token_not_valid' })

    const docs = await fetch(`${url}/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).not.toMatch(/https?:\/\//)

    expect(await server.stop()).toBe(0)
    expect(server.output()).toMatch(/Tessera stopped\.\n/)
    for (const secret of [PASSWORD, access, refresh]) expect(server.output()).not.toContain(secret)
  })

  it('applies REQUEST_TIMEOUT: a stalled body is answered 408 and its connection closed', async () => {
    const cwd = tempDir()
    const server = await serve(cwd, {
      TESSERA_DATA_DIR: join(cwd, 'data'),
      TESSERA_REQUEST_TIMEOUT: '1',
    })
    const connection = await openRaw(Number(new URL(server.url).port))
    connection.write(
      'POST /api/token/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"username":"alice","password":"',
    )
    const response = parseRawResponse(await connection.closed)
    expect(response.status).toBe(408)
    expect(response.body).toBe('{"detail":"Request timed out."}')
    expect(await server.stop()).toBe(0)
  })

  it('by default, writes one JSON access line per request on stdout, every one before it exits', async () => {
    const cwd = tempDir()
    const server = await serve(cwd, { TESSERA_DATA_DIR: join(cwd, 'data') })
    const count = 50
    for (let i = 0; i < count; i++) {
      await (await fetch(`${server.url}/api/hello/?token=query-secret`)).arrayBuffer()
    }
    expect(await server.stop()).toBe(0)
    const logs = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line))
    expect(logs.some((entry) => entry.msg?.includes('development signing key'))).toBe(true)
    const access = logs.filter((entry) => entry.msg === 'request')
    // The lines are written in batches; stopping the server writes what is left.
    expect(access).toHaveLength(count)
    expect(access[0]).toMatchObject({
      level: 30,
      method: 'GET',
      route: '/api/hello/',
      status: 401,
      reqId: expect.any(String),
      ms: expect.any(Number),
    })
    expect(new Set(access.map((entry) => entry.reqId)).size).toBe(count)
    expect(logs.some((entry) => entry.msg === 'incoming request')).toBe(false)
    expect(server.output()).not.toContain('query-secret')
  })

  it('TESSERA_ACCESS_LOG=off writes no access line; TESSERA_LOG_LEVEL=debug adds "incoming request"', async () => {
    const quiet = tempDir()
    let server = await serve(quiet, {
      TESSERA_DATA_DIR: join(quiet, 'data'),
      TESSERA_ACCESS_LOG: 'off',
    })
    await (await fetch(`${server.url}/api/hello/`)).arrayBuffer()
    expect(await server.stop()).toBe(0)
    expect(server.output()).not.toContain('"msg":"request"')
    const verbose = tempDir()
    server = await serve(verbose, {
      TESSERA_DATA_DIR: join(verbose, 'data'),
      TESSERA_LOG_LEVEL: 'debug',
    })
    await (await fetch(`${server.url}/api/hello/`)).arrayBuffer()
    expect(await server.stop()).toBe(0)
    expect(server.output()).toContain('"msg":"incoming request"')
    expect(server.output()).toContain('"msg":"request"')
  })
})
