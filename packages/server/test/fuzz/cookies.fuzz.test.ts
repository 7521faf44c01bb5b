import type { TesseraServer } from '@tessera/server'
import fc from 'fast-check'
import type { LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { checkAnswer, fuzzServer, mutatedToken, PASSWORD, runs, SEED } from './fuzz-server.js'

// Cookie mode's cookie and CSRF paths with garbage and mutated cookies, CSRF headers and origins
// (issue 31, item 2): never a 5xx, contract-shaped errors, and an unsafe request whose
// X-CSRFToken does not match its CSRF cookie never succeeds.
const tempDir = useTempDirs()
let server: TesseraServer
/** Cookie name -> value, as the browser holds them after GET /api/csrf/ and a login. */
const jar = new Map<string, string>()
let names: { access: string; refresh: string; csrf: string }

function keep(response: LightMyRequestResponse) {
  for (const cookie of response.cookies) jar.set(cookie.name, cookie.value)
}

const cookieHeader = (cookies: Map<string, string>) =>
  [...cookies].map(([name, value]) => `${name}=${value}`).join('; ')

async function login() {
  const csrf = await server.app.inject({ method: 'GET', url: '/api/csrf/' })
  keep(csrf)
  const found = (part: string) => [...jar.keys()].find((name) => name.includes(part)) ?? ''
  const response = await server.app.inject({
    method: 'POST',
    url: '/api/token/',
    payload: { username: 'fuzzer', password: PASSWORD },
    headers: { cookie: cookieHeader(jar), 'x-csrftoken': jar.get(found('csrf')) ?? '' },
  })
  expect(response.statusCode, response.body).toBe(200)
  keep(response)
  names = { access: found('access'), refresh: found('refresh'), csrf: found('csrf') }
}

beforeAll(async () => {
  server = await fuzzServer(tempDir(), { TESSERA_TOKEN_TRANSPORT: 'cookie' })
  const user = { username: 'fuzzer', password: PASSWORD }
  await server.app.inject({ method: 'POST', url: '/api/register/', payload: user })
  await login()
})

afterAll(() => server.close())

const ROUTES = [
  ['POST', '/api/token/refresh/'],
  ['POST', '/api/token/blacklist/'],
  ['POST', '/api/token/verify/'],
  ['GET', '/api/me/'],
  ['PATCH', '/api/me/'],
  ['GET', '/api/csrf/'],
  ['POST', '/auth/users/set_password/'],
] as const

describe('fuzz: cookie mode', () => {
  it('sets the token and CSRF cookies it is fuzzed with', () => {
    expect(names.access).toMatch(/access/)
    expect(names.refresh).toMatch(/refresh/)
    expect(names.csrf).toMatch(/csrf/)
    expect(jar.get(names.access)?.split('.')).toHaveLength(3)
  })

  it('garbage and mutated cookies, CSRF tokens and origins (seeded)', async () => {
    const real = () => [jar.get(names.access) ?? '', jar.get(names.refresh) ?? '']
    const csrf = () => jar.get(names.csrf) ?? ''
    const value = (kind: 'token' | 'csrf') =>
      fc.oneof(
        fc.constant('real'),
        fc.constant(undefined),
        fc.string({ maxLength: 40 }).map((s) => s.replace(/[^\x21-\x7e]|[;,]/g, '')),
        kind === 'token' ? mutatedToken(real()) : mutatedToken([csrf()]),
      )
    const unsafe = new Map<number, number>()
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.record({
          access: value('token'),
          refresh: value('token'),
          csrfCookie: value('csrf'),
          csrfHeader: value('csrf'),
          origin: fc.constantFrom(undefined, 'http://localhost:80', 'https://evil.example', 'null'),
          site: fc.constantFrom(undefined, 'same-origin', 'cross-site', 'none'),
          garbage: fc.constantFrom('', '; ;', '; =x', '; a=b=c', `; ${'z'.repeat(3000)}=1`),
        }),
        async ([method, url], parts) => {
          const pick = (given: string | undefined, genuine: string) =>
            given === 'real' ? genuine : given
          const cookies = new Map<string, string>()
          const set = (name: string, given: string | undefined) => {
            if (given !== undefined) cookies.set(name, given)
          }
          set(names.access, pick(parts.access, real()[0] ?? ''))
          set(names.refresh, pick(parts.refresh, real()[1] ?? ''))
          const csrfCookie = pick(parts.csrfCookie, csrf())
          const csrfHeader = pick(parts.csrfHeader, csrf())
          set(names.csrf, csrfCookie)
          const headers: Record<string, string> = {
            cookie: cookieHeader(cookies) + parts.garbage,
            'content-type': 'application/json',
          }
          if (csrfHeader) headers['x-csrftoken'] = csrfHeader
          if (parts.origin) headers.origin = parts.origin
          if (parts.site) headers['sec-fetch-site'] = parts.site
          const response = await server.app.inject({
            method,
            url,
            headers,
            ...(method === 'GET' ? {} : { payload: '{}' }),
          })
          if (method !== 'GET') {
            unsafe.set(response.statusCode, (unsafe.get(response.statusCode) ?? 0) + 1)
          }
          checkAnswer(
            response,
            [...cookies.values()].filter((v) => v.includes('.')),
          )
          // Double submit: an unsafe request without a matching X-CSRFToken never succeeds.
          if (method !== 'GET' && (csrfCookie === undefined || csrfHeader !== csrfCookie)) {
            expect(response.statusCode, `${method} ${url} ${response.body}`).toBeGreaterThanOrEqual(
              400,
            )
          }
          // A refresh or blacklist that did go through rotated the cookies: keep the new ones.
          if (response.statusCode === 200) keep(response)
          if (!jar.get(names.refresh)) await login()
        },
      ),
      { seed: SEED + 20, numRuns: runs(500) },
    )
    // Both sides of the CSRF rule were exercised: unsafe requests that passed, and 403s.
    expect([...unsafe.keys()]).toEqual(expect.arrayContaining([200, 401, 403]))
  })

  it('still logs in and answers with the genuine cookies afterwards', async () => {
    await login()
    const me = await server.app.inject({
      method: 'GET',
      url: '/api/me/',
      headers: { cookie: cookieHeader(jar) },
    })
    expect(me.statusCode, me.body).toBe(200)
  })
})
