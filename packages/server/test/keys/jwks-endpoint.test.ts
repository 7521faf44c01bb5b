import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import { afterEach, describe, expect, it } from 'vitest'
import { JWKS_MAX_AGE, KEY_PREPUBLISH } from '../../src/keys/key-ring-timing.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()
const servers: TesseraServer[] = []
const PASSWORD = 'correct horse battery staple'

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

async function build(env: Record<string, string>) {
  const config = loadServerConfig({
    env: { TESSERA_DATA_DIR: tempDir(), ...env },
    configFile: false,
  })
  const server = await buildServer(config, { stores: createMemoryStores(), logger: false })
  servers.push(server)
  return server
}

const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string })
    .kid

async function accessToken(server: TesseraServer): Promise<string> {
  await server.auth.register({ username: 'peter', password: PASSWORD })
  return login(server)
}

async function login(server: TesseraServer): Promise<string> {
  const login = await server.app.inject({
    method: 'POST',
    url: '/api/token/',
    payload: { username: 'peter', password: PASSWORD },
  })
  expect(login.statusCode).toBe(200)
  return (login.json() as { access: string }).access
}

describe('tessera serve: GET /.well-known/jwks.json', () => {
  it.each(['ES256', 'EdDSA', 'RS256'])(
    'publishes the %s key the tokens are signed with, cacheable for less than the pre-publication',
    async (alg) => {
      const server = await build({ TESSERA_ALGORITHM: alg })
      const token = await accessToken(server)
      const response = await server.app.inject('/.well-known/jwks.json')
      expect(response.statusCode).toBe(200)
      expect(response.headers['cache-control']).toBe(`public, max-age=${JWKS_MAX_AGE}`)
      expect(JWKS_MAX_AGE).toBeLessThan(KEY_PREPUBLISH)
      const { keys } = response.json() as { keys: { kid: string; alg: string; d?: string }[] }
      expect(keys).toEqual([expect.objectContaining({ kid: kidOf(token), alg, use: 'sig' })])
      expect(keys[0]?.d).toBeUndefined()
    },
  )

  it('publishes no key for HS256 (the secret stays secret)', async () => {
    const server = await build({ TESSERA_SIGNING_KEY: TEST_SIGNING_KEY })
    const response = await server.app.inject('/.well-known/jwks.json')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toEqual({ keys: [] })
  })

  it('switches tokens and JWKS to the new key when the ring rotates', async () => {
    const server = await build({ TESSERA_ALGORITHM: 'ES256' })
    const before = await accessToken(server)
    const rotation = await server.keys.manager?.rotate()
    // Other instances hear of it on the bus or at their 10 s poll; this one re-reads now.
    expect(await server.keys.reload()).toBe(true)
    const after = await login(server)
    expect(kidOf(after)).toBe(rotation?.current.kid)
    expect(kidOf(before)).toBe(rotation?.retired?.kid)
    const kids = (
      (await server.app.inject('/.well-known/jwks.json')).json() as { keys: { kid: string }[] }
    ).keys.map((key) => key.kid)
    expect(kids).toEqual(
      expect.arrayContaining([rotation?.current.kid, rotation?.retired?.kid, rotation?.next.kid]),
    )
    const hello = await server.app.inject({
      url: '/api/hello/',
      headers: { authorization: `Bearer ${before}` },
    })
    expect(hello.statusCode).toBe(200)
  })
})
