// Real processes and sockets: `tessera serve` (ES256, keys in its SQLite store), this example
// as its own Node process, a counting proxy in front of Tessera's JWKS (the only URL the example
// may fetch keys from) and an attacker's server that forged tokens point at.
import { type ChildProcess, spawn } from 'node:child_process'
import { generateKeyPairSync, sign } from 'node:crypto'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../../../packages/core/test/service-gate.js'
import {
  cliEnv,
  killServedTessera,
  runTessera,
  type ServedTessera,
  serveTessera,
} from '../../../packages/server/test/cli/run-tessera.js'
import { uniqueRedisPrefix } from '../../../packages/server/test/cli/service-fixtures.js'

const EXAMPLE_MAIN = fileURLToPath(new URL('../dist/main.js', import.meta.url))
const PASSWORD = 'correct horse battery staple'

/** An HTTP server on a free port counting the requests it gets, by path. */
async function countingServer(
  handle: (path: string) => Promise<[number, string]> | [number, string],
) {
  const hits: string[] = []
  const server: Server = createServer((request, response) => {
    hits.push(request.url ?? '')
    Promise.resolve(handle(request.url ?? '')).then(
      ([status, body]) => {
        response.writeHead(status, { 'content-type': 'application/json' }).end(body)
      },
      () => {
        response.writeHead(502).end()
      },
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

function startExample(env: Record<string, string>): Promise<{ url: string; child: ChildProcess }> {
  if (!existsSync(EXAMPLE_MAIN))
    throw new Error(`${EXAMPLE_MAIN} is missing: build with npx tsc -b`)
  const child = spawn(process.execPath, [EXAMPLE_MAIN], {
    env: cliEnv({ PORT: '0', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`example silent:\n${output}`)), 20_000)
    const read = (chunk: Buffer) => {
      output += chunk
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1]
      if (url !== undefined) {
        clearTimeout(timer)
        resolve({ url, child })
      }
    }
    child.stdout?.on('data', read)
    child.stderr?.on('data', read)
    child.on('exit', (code) => reject(new Error(`example exited with ${code}:\n${output}`)))
  })
}

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string })
    .kid

/** An ES256 token signed by the attacker, with whatever header the attack needs. */
function forged(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const input = `${b64url({ alg: 'ES256', typ: 'JWT', ...header })}.${b64url(claims)}`
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  return `${input}.${signature.toString('base64url')}`
}

describe('examples/microservice: an Express resource server beside tessera serve', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-example-'))
  const env = { TESSERA_DATA_DIR: join(dir, 'data'), TESSERA_ALGORITHM: 'ES256' }
  let tessera: ServedTessera
  let jwks: Awaited<ReturnType<typeof countingServer>>
  let attacker: Awaited<ReturnType<typeof countingServer>>
  let example: { url: string; child: ChildProcess }

  const login = async (): Promise<string> => {
    const response = await fetch(`${tessera.url}/api/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: PASSWORD }),
    })
    expect(response.status).toBe(200)
    return ((await response.json()) as { access: string }).access
  }
  const call = (path: string, token?: string, init: RequestInit = {}) =>
    fetch(`${example.url}${path}`, {
      ...init,
      headers: {
        'content-type': 'application/json',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
    })

  beforeAll(async () => {
    // A next key before the example starts: it is in the JWKS the example fetches first.
    expect((await runTessera(['keys', 'generate'], { env, cwd: dir })).status).toBe(0)
    tessera = await serveTessera([], {
      // The rotation test logs in until the new key signs: more than 5 logins a minute.
      env: { ...env, TESSERA_LOG_LEVEL: 'warn', TESSERA_THROTTLE_LOGIN_USERNAME: 'off' },
      cwd: dir,
    })
    jwks = await countingServer(async (path) => {
      if (path !== '/jwks.json') return [404, '{}']
      const upstream = await fetch(`${tessera.url}/.well-known/jwks.json`)
      return [upstream.status, await upstream.text()]
    })
    attacker = await countingServer(() => [200, '{"keys":[]}'])
    example = await startExample({
      TESSERA_ISSUER_URL: tessera.url,
      TESSERA_JWKS_URL: `${jwks.url}/jwks.json`,
    })
    const registered = await fetch(`${tessera.url}/api/register/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ada', password: PASSWORD }),
    })
    expect(registered.status).toBe(201)
  }, 120_000)

  afterAll(async () => {
    example?.child.kill('SIGTERM')
    await tessera?.stop()
    killServedTessera()
    await jwks?.close()
    await attacker?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('accepts Tessera tokens, refuses missing and bad ones with the contract bodies', async () => {
    const token = await login()
    const created = await call('/api/articles/', token, {
      method: 'POST',
      body: JSON.stringify({ title: 'Hello' }),
    })
    expect(created.status).toBe(201)
    expect(await created.json()).toEqual({ id: 1, title: 'Hello', author: '1' })
    const listed = await call('/api/articles/', token)
    expect(await listed.json()).toMatchObject({ viewer: '1', articles: [{ title: 'Hello' }] })

    const anonymous = await call('/api/articles/', undefined, { method: 'POST', body: '{}' })
    expect(anonymous.status).toBe(401)
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer realm="api"')
    expect(await anonymous.json()).toEqual({
      detail: 'Authentication credentials were not provided.',
    })
    const staffOnly = await call('/api/stats/', token)
    expect(staffOnly.status).toBe(403)
    expect(await staffOnly.json()).toEqual({
      detail: 'You do not have permission to perform this action.',
    })
    const tampered = await call('/api/articles/', `${token.slice(0, -4)}AAAA`)
    expect(tampered.status).toBe(401)
    expect(await tampered.json()).toMatchObject({ code: 'token_not_valid' })
    // One JWKS fetch served all of it.
    expect(jwks.hits).toEqual(['/jwks.json'])
  })

  it('keeps accepting old and new tokens through a rotation, with the pre-published key', async () => {
    const before = await login()
    const rotated = await runTessera(['keys', 'rotate'], { env, cwd: dir })
    expect(rotated.status).toBe(0)
    const signer = /Key (\S+) \(ES256\) signs from now on/.exec(rotated.stdout)?.[1]
    // On SQLite without a bus between processes, the server re-reads the ring every second.
    let after = await login()
    for (let tries = 0; kidOf(after) !== signer && tries < 50; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      after = await login()
    }
    expect(kidOf(after)).toBe(signer)
    expect(kidOf(before)).not.toBe(signer)
    for (const token of [before, after]) {
      expect((await call('/api/articles/', token)).status).toBe(200)
    }
    // The new signing key was in the JWKS fetched at start (a next key): no fetch was needed.
    expect(jwks.hits).toEqual(['/jwks.json'])
  })

  it('never fetches from a URL a token names, and an unknown kid triggers no fetch in the cooldown', async () => {
    const now = Math.floor(Date.now() / 1000)
    const claims = {
      token_type: 'access',
      exp: now + 300,
      iat: now,
      jti: 'f'.repeat(32),
      user_id: '1',
    }
    const attacks = [
      forged({ kid: 'attacker-key', jku: `${attacker.url}/jwks.json` }, claims),
      forged({ kid: 'attacker-key', x5u: `${attacker.url}/cert.pem` }, claims),
      forged({ jwk: { kty: 'EC', crv: 'P-256', x: 'AA', y: 'AA' } }, claims),
      forged({ kid: `${attacker.url}/jwks.json` }, claims),
      ...Array.from({ length: 30 }, (_, index) => forged({ kid: `unknown-${index}` }, claims)),
    ]
    const responses = await Promise.all(attacks.map((token) => call('/api/articles/', token)))
    for (const response of responses) {
      expect(response.status).toBe(401)
      expect(await response.json()).toMatchObject({ code: 'token_not_valid' })
    }
    expect(attacker.hits).toEqual([])
    // The example fetched its JWKS less than the 30 s cooldown ago: nothing more was fetched.
    expect(jwks.hits).toEqual(['/jwks.json'])
  })
})

const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL

describe('examples/microservice with TESSERA_REDIS_URL: logout reaches the service at once', () => {
  if (REDIS_URL === undefined) {
    serviceNotConfigured('logout over the Redis revocation bus', ['TESSERA_TEST_REDIS_URL'])
    return
  }
  const dir = mkdtempSync(join(tmpdir(), 'tessera-example-redis-'))
  const shared = { TESSERA_REDIS_URL: REDIS_URL, TESSERA_REDIS_PREFIX: uniqueRedisPrefix() }
  let tessera: ServedTessera
  let example: { url: string; child: ChildProcess }

  beforeAll(async () => {
    tessera = await serveTessera([], {
      env: {
        ...shared,
        TESSERA_DATA_DIR: join(dir, 'data'),
        TESSERA_ALGORITHM: 'EdDSA',
        TESSERA_LOG_LEVEL: 'warn',
      },
      cwd: dir,
    })
    example = await startExample({ ...shared, TESSERA_ISSUER_URL: tessera.url })
  }, 120_000)

  afterAll(async () => {
    example?.child.kill('SIGTERM')
    await tessera?.stop()
    killServedTessera()
    rmSync(dir, { recursive: true, force: true })
  })

  const post = (path: string, body: unknown, access?: string) =>
    fetch(`${tessera.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(access === undefined ? {} : { authorization: `Bearer ${access}` }),
      },
      body: JSON.stringify(body),
    })
  const login = async () =>
    (await (await post('/api/token/', { username: 'ada', password: PASSWORD })).json()) as {
      access: string
      refresh: string
    }
  const articles = (access: string) =>
    fetch(`${example.url}/api/articles/`, { headers: { authorization: `Bearer ${access}` } })

  /** Polls the example until it refuses `access`, for at most a second; the last response. */
  async function refusedWithinASecond(access: string): Promise<Response> {
    const started = performance.now()
    let response = await articles(access)
    while (response.status === 200 && performance.now() - started < 1000) {
      await new Promise((resolve) => setTimeout(resolve, 10))
      response = await articles(access)
    }
    return response
  }

  it('refuses the access token within a second of its logout on Tessera', async () => {
    expect((await post('/api/register/', { username: 'ada', password: PASSWORD })).status).toBe(201)
    const pair = await login()
    expect((await articles(pair.access)).status).toBe(200)

    const loggedOut = await post('/api/token/blacklist/', { refresh: pair.refresh }, pair.access)
    expect(loggedOut.status).toBe(200)
    const response = await refusedWithinASecond(pair.access)
    expect(response.status).toBe(401)
    expect(await response.json()).toMatchObject({
      code: 'token_not_valid',
      messages: [expect.objectContaining({ message: 'Token is blacklisted' })],
    })
  })

  it('refuses the access tokens of a session ended on Tessera from another device, or by a refresh-token reuse', async () => {
    const phone = await login()
    const laptop = await login()
    expect((await articles(phone.access)).status).toBe(200)
    const sid = JSON.parse(Buffer.from(phone.access.split('.')[1] ?? '', 'base64url').toString())
      .sid as string
    const revoked = await fetch(`${tessera.url}/api/sessions/${sid}/`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${laptop.access}` },
    })
    expect(revoked.status).toBe(204)
    expect((await refusedWithinASecond(phone.access)).status).toBe(401)
    expect((await articles(laptop.access)).status).toBe(200)

    // The laptop's refresh token is stolen and used; the laptop's next refresh is a reuse.
    const stolen = await post('/api/token/refresh/', { refresh: laptop.refresh })
    const thief = (await stolen.json()) as { access: string }
    expect((await articles(thief.access)).status).toBe(200)
    expect((await post('/api/token/refresh/', { refresh: laptop.refresh })).status).toBe(401)
    for (const access of [thief.access, laptop.access]) {
      expect((await refusedWithinASecond(access)).status).toBe(401)
    }
  })
})
