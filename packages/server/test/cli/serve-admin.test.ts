// The admin API end to end: `tessera serve` over a real socket with its SQLite store, a
// superuser made by the CLI, and changes made over HTTP seen by the CLI (and the other way).
import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { killServedTessera, requireBuiltCli, runTessera, serveTessera } from './run-tessera.js'

const tempDir = useTempDirs()
const PASSWORD = 'correct horse battery staple'

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

type Json = Record<string, unknown>

function client(base: string) {
  return async (method: string, path: string, access?: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(access === undefined ? {} : { authorization: `Bearer ${access}` }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await response.text()
    return { status: response.status, body: (text === '' ? {} : JSON.parse(text)) as Json }
  }
}

describe('tessera serve: the admin API over HTTP', () => {
  it('a superuser creates a user, groups them, deactivates them: their session dies', async () => {
    const cwd = tempDir()
    const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
    const made = await runTessera(
      ['createsuperuser', '--no-input', '--username', 'root', '--email', 'root@example.com'],
      { cwd, env: { ...env, TESSERA_SUPERUSER_PASSWORD: PASSWORD } },
    )
    expect(made.status).toBe(0)
    expect((await runTessera(['groups', 'create', 'editors'], { cwd, env })).status).toBe(0)
    const server = await serveTessera([], { cwd, env })
    const call = client(server.url)
    const root = (
      await call('POST', '/api/token/', undefined, { username: 'root', password: PASSWORD })
    ).body.access as string

    const created = await call('POST', '/api/admin/users/', root, {
      username: 'ada',
      email: 'ada@example.com',
      password: PASSWORD,
    })
    expect(created.status).toBe(201)
    const id = created.body.id as string
    const groups = await call('GET', '/api/admin/groups/?search=edit', root)
    const group = (groups.body.results as Json[])[0] as Json
    expect(group).toMatchObject({ name: 'editors', member_count: 0 })
    expect((await call('PUT', `/api/admin/users/${id}/groups/${group.id}/`, root)).status).toBe(204)

    const ada = (
      await call('POST', '/api/token/', undefined, { username: 'ada', password: PASSWORD })
    ).body.access as string
    expect((await call('GET', '/api/me/', ada)).status).toBe(200)
    // Not staff: refused the whole admin API.
    expect((await call('GET', '/api/admin/users/', ada)).status).toBe(403)

    const patched = await call('PATCH', `/api/admin/users/${id}/`, root, { is_active: false })
    expect(patched.status).toBe(200)
    expect(patched.body).toMatchObject({ is_active: false, groups: [{ name: 'editors' }] })
    const refused = await call('GET', '/api/me/', ada)
    expect(refused.status).toBe(401)

    // The CLI reads what the API wrote.
    const audit = await runTessera(
      ['audit', '--user', 'ada', '--type', 'user_deactivated,group_member_added', '--json'],
      { cwd, env },
    )
    const events = JSON.parse(audit.stdout) as { type: string; data: Json }[]
    expect(events.map((event) => event.type)).toEqual(['user_deactivated', 'group_member_added'])
    expect(events[0]?.data.actor_id).toBe('1')
    const page = await call('GET', `/api/admin/audit/?user=${id}&type=user_created`, root)
    expect(page.body).toMatchObject({ count: 1, next: null, previous: null })
  })

  it('rotates the key ring over HTTP: this server signs with the new key at once', async () => {
    const cwd = tempDir()
    const env = { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_ALGORITHM: 'ES256' }
    const made = await runTessera(
      ['createsuperuser', '--no-input', '--username', 'root', '--email', 'root@example.com'],
      { cwd, env: { ...env, TESSERA_SUPERUSER_PASSWORD: PASSWORD } },
    )
    expect(made.status).toBe(0)
    const server = await serveTessera([], { cwd, env })
    const call = client(server.url)
    const login = async () =>
      (await call('POST', '/api/token/', undefined, { username: 'root', password: PASSWORD })).body
        .access as string
    const kidOf = (token: string) =>
      (
        JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
          kid: string
        }
      ).kid
    const root = await login()
    const keys = await call('GET', '/api/admin/keys/', root)
    expect(JSON.stringify(keys.body)).not.toMatch(/PRIVATE KEY|"d":/)
    const rotated = await call('POST', '/api/admin/keys/rotate/', root)
    expect(rotated.status).toBe(201)
    const kid = rotated.body.kid as string
    expect(kid).not.toBe(kidOf(root))
    expect(kidOf(await login())).toBe(kid)
    // The token signed before the rotation still verifies (its key is retired, not gone).
    expect((await call('GET', '/api/me/', root)).status).toBe(200)
    const audit = await call('GET', '/api/admin/audit/?type=key_rotated', root)
    expect(audit.body).toMatchObject({ count: 1, results: [{ data: { current: kid } }] })
  })
})
