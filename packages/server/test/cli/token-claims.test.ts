import { randomBytes } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { hasPermissions, isAdminUser } from '@tessera/core'
import { requirePermission, tesseraResourceServer } from '@tessera/express'
import express from 'express'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { FIXTURE_DATABASE } from '../django/django-fixture.js'
import { useTempDirs } from '../temp-dir.js'
import { killServedTessera, requireBuiltCli, runTessera, serveTessera } from './run-tessera.js'

// From login on the stock `tessera serve` to a permission checked by an Express resource server
// that never calls Tessera: TOKEN_CLAIMS puts the staff flag, groups and permissions in tokens.
const tempDir = useTempDirs()

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

const claimsOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<
    string,
    unknown
  >

describe('TOKEN_CLAIMS', () => {
  it('lets a resource server check staff and permissions from the token alone', async () => {
    const cwd = tempDir()
    const key = randomBytes(48).toString('base64url')
    const env = { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_SIGNING_KEY: key }
    // Users, a group and permissions, as a Django database has them.
    expect(
      (await runTessera(['import-django', '--from', FIXTURE_DATABASE], { cwd, env })).status,
    ).toBe(0)
    const tessera = await serveTessera([], {
      cwd,
      env: { ...env, TESSERA_TOKEN_CLAIMS: 'is_staff,is_superuser,groups,permissions' },
    })

    const app = express()
    app.use(
      tesseraResourceServer({
        keys: [{ alg: 'HS256', secret: key }],
        staffClaim: 'is_staff',
        superuserClaim: 'is_superuser',
        permissionsClaim: 'permissions',
      }),
    )
    app.get('/users', requirePermission(hasPermissions('auth.view_user')), (_req, res) => {
      res.json({ ok: true })
    })
    app.get('/admin', requirePermission(isAdminUser), (_req, res) => {
      res.json({ ok: true })
    })
    const server = app.listen(0, '127.0.0.1')
    await new Promise((resolve) => server.once('listening', resolve))
    const resource = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const login = async (username: string, password: string) => {
        const answer = await fetch(`${tessera.url}/api/token/`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ username, password }),
        })
        return (await answer.json()) as { access: string; refresh: string }
      }
      const status = async (path: string, access: string) =>
        (await fetch(`${resource}${path}`, { headers: { authorization: `Bearer ${access}` } }))
          .status

      const editor = await login('staff_editor', 'editor-Pass-77')
      expect(claimsOf(editor.access)).toMatchObject({
        user_id: 9,
        is_staff: true,
        is_superuser: false,
        groups: ['editors'],
        permissions: ['auth.add_group', 'auth.change_user', 'auth.view_user'],
      })
      expect(await status('/users', editor.access)).toBe(200)
      expect(await status('/admin', editor.access)).toBe(200)

      // A refresh's access token carries them too.
      const refreshed = await fetch(`${tessera.url}/api/token/refresh/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ refresh: editor.refresh }),
      })
      const { access } = (await refreshed.json()) as { access: string }
      expect(await status('/users', access)).toBe(200)

      const peter = await login('spiderman', 'underoos')
      expect(claimsOf(peter.access)).toMatchObject({ is_staff: false, groups: [], permissions: [] })
      expect(await status('/users', peter.access)).toBe(403)
      expect(await status('/admin', peter.access)).toBe(403)
    } finally {
      server.close()
    }
  })

  it('refuses an unknown claim and an undeclared profile field, naming the setting', async () => {
    const cwd = tempDir()
    const env = { TESSERA_DATA_DIR: join(cwd, 'data') }
    const unknown = await runTessera(['serve', '--port', '0'], {
      cwd,
      env: { ...env, TESSERA_TOKEN_CLAIMS: 'is_staff,password' },
    })
    expect(unknown.status).not.toBe(0)
    expect(unknown.stderr).toContain('TOKEN_CLAIMS')
    const profile = await runTessera(['serve', '--port', '0'], {
      cwd,
      env: { ...env, TESSERA_TOKEN_CLAIMS: 'profile.timezone' },
    })
    expect(profile.stderr).toContain('PROFILE_FIELDS declares no field "timezone"')
  })
})
