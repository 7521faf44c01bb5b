import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()
const servers: TesseraServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function build(env: Record<string, string> = {}, output?: string[]) {
  const config = loadServerConfig({
    env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY, TESSERA_DATA_DIR: tempDir(), ...env },
    configFile: false,
  })
  const server = await buildServer(config, {
    stores: createMemoryStores(),
    logger: false,
    ...(output === undefined ? {} : { mailOutput: { write: (text: string) => output.push(text) } }),
  })
  servers.push(server)
  return server
}

const DJOSER_PATHS = [
  '/auth/users/',
  '/auth/users/me/',
  '/auth/users/activation/',
  '/auth/users/resend_activation/',
  '/auth/users/set_password/',
  '/auth/users/reset_password/',
  '/auth/users/reset_password_confirm/',
  '/auth/users/set_username/',
  '/auth/users/reset_username/',
  '/auth/users/reset_username_confirm/',
  '/auth/users/email_change_confirm/',
  '/auth/jwt/create/',
  '/auth/jwt/refresh/',
  '/auth/jwt/verify/',
]

describe("djoser's routes in the server", () => {
  it('are in the OpenAPI document, each of their operations with a summary and tag', async () => {
    const { app } = await build()
    const document = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
    const methodsOf = (path: string) =>
      path === '/auth/users/me/'
        ? ['get', 'put', 'patch', 'delete']
        : path === '/auth/users/'
          ? ['get', 'post']
          : ['post']
    for (const path of DJOSER_PATHS) {
      for (const method of methodsOf(path)) {
        const operation = document.paths[path]?.[method]
        expect(operation?.summary, `${method} ${path}`).toMatch(/\w/)
        expect(operation?.tags, `${method} ${path}`).toEqual([
          path.startsWith('/auth/jwt/') ? 'tokens' : 'djoser',
        ])
      }
    }
    expect(document.paths['/auth/users/reset_password/'].post.requestBody).toBeDefined()
  })

  it('are not mounted with AUTH_ROUTES=false', async () => {
    const { app } = await build({ TESSERA_AUTH_ROUTES: 'false' })
    const response = await app.inject({ method: 'POST', url: '/auth/jwt/create/', payload: {} })
    expect(response.statusCode).toBe(404)
  })

  it('console backend: the reset link is printed; close() delivers what requests queued', async () => {
    const output: string[] = []
    const server = await build({ TESSERA_SITE_NAME: 'Example' }, output)
    const created = await server.app.inject({
      method: 'POST',
      url: '/auth/users/',
      payload: { username: 'peter', email: 'peter@example.com', password: 'correct horse battery' },
    })
    expect(created.statusCode).toBe(201)
    const requested = await server.app.inject({
      method: 'POST',
      url: '/auth/users/reset_password/',
      payload: { email: 'peter@example.com' },
    })
    expect(requested.statusCode).toBe(204)
    servers.splice(servers.indexOf(server), 1)
    await server.close()
    const printed = output.join('')
    expect(printed).toContain('To: peter@example.com\nSubject: Password reset on Example\n')
    expect(printed).toMatch(
      /http:\/\/localhost:8000\/account\/password\/reset\/#MQ\/[0-9a-z]+-[0-9a-f]{32}\n/,
    )
    expect((await server.stores.mail.list({ limit: 5 }))[0]).toMatchObject({ status: 'sent' })
  })

  it('over a real socket: register, read the printed link, reset, log in', async () => {
    const output: string[] = []
    const server = await build({}, output)
    const address = await server.app.listen({ host: '127.0.0.1', port: 0 })
    const post = (path: string, body: unknown) =>
      fetch(`${address}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      })
    const created = await post('/auth/users/', {
      username: 'peter',
      email: 'peter@example.com',
      password: 'correct horse battery',
    })
    expect(created.status).toBe(201)
    const requested = await post('/auth/users/reset_password/', { email: 'peter@example.com' })
    expect([requested.status, await requested.text()]).toEqual([204, ''])
    await server.auth.backgroundIdle()
    await server.mailSender.idle()
    await server.mailSender.drain()
    // The default link opens the account pages' reset page, the uid and token in the fragment.
    const link = /\/account\/password\/reset\/#([\w-]+)\/([\w-]+)/.exec(output.join(''))
    expect(link).not.toBeNull()
    const [, uid, token] = link ?? []
    const reset = await post('/auth/users/reset_password_confirm/', {
      uid,
      token,
      new_password: 'another staple 2026',
    })
    expect(reset.status).toBe(204)
    const login = await post('/auth/jwt/create/', {
      username: 'peter',
      password: 'another staple 2026',
    })
    expect(login.status).toBe(200)
  })
})
