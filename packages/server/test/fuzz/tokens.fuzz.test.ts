import type { TesseraServer } from '@tessera/server'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { checkAnswer, fuzzServer, mutatedToken, PASSWORD, runs, SEED } from './fuzz-server.js'

// The token parser over HTTP with real issued tokens, mutated (issue 31, item 2): every mutation
// that changes the text is refused with a contract-shaped 4xx, never a 5xx, and the genuine
// tokens still work afterwards.
const tempDir = useTempDirs()
let server: TesseraServer
let access: string
let refresh: string

beforeAll(async () => {
  server = await fuzzServer(tempDir())
  const user = { username: 'fuzzer', password: PASSWORD }
  await server.app.inject({ method: 'POST', url: '/api/register/', payload: user })
  const login = await server.app.inject({ method: 'POST', url: '/api/token/', payload: user })
  ;({ access, refresh } = login.json() as { access: string; refresh: string })
})

afterAll(() => server.close())

const BODY_ROUTES = [
  '/api/token/refresh/',
  '/api/token/verify/',
  '/api/token/blacklist/',
  '/auth/jwt/refresh/',
  '/auth/jwt/verify/',
]

describe('fuzz: mutated tokens', () => {
  it('in a body: refused unless unchanged, never a 5xx (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...BODY_ROUTES),
        mutatedToken([access, refresh]),
        fc.constantFrom('refresh', 'token'),
        async (url, token, field) => {
          fc.pre(token !== access && token !== refresh)
          const response = await server.app.inject({
            method: 'POST',
            url,
            payload: { [field]: token },
          })
          checkAnswer(response, [token])
          expect(response.statusCode, `${url} ${token}`).toBeGreaterThanOrEqual(400)
        },
      ),
      { seed: SEED + 10, numRuns: runs(600) },
    )
  })

  it('as a Bearer credential: refused unless unchanged, never a 5xx (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/me/', '/auth/users/me/', '/api/sessions/'),
        mutatedToken([access, refresh]),
        async (url, token) => {
          // HTTP trims a header value's trailing whitespace (RFC 9110 5.5), and the header splits
          // on runs of whitespace as simplejwt's `header.split()`: spaces around are no mutation.
          fc.pre(token.trim() !== access)
          const response = await server.app.inject({
            method: 'GET',
            url,
            headers: { authorization: `Bearer ${token}` },
          })
          checkAnswer(response, [token])
          expect(response.statusCode, `${url} ${token}`).toBe(401)
        },
      ),
      { seed: SEED + 11, numRuns: runs(600) },
    )
  })

  it('leaves the genuine tokens working', async () => {
    const me = await server.app.inject({
      method: 'GET',
      url: '/api/me/',
      headers: { authorization: `Bearer ${access}` },
    })
    expect(me.statusCode).toBe(200)
    const verify = await server.app.inject({
      method: 'POST',
      url: '/api/token/verify/',
      payload: { token: refresh },
    })
    expect(verify.statusCode).toBe(200)
  })
})
