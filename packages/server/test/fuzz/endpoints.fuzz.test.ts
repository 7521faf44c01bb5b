import type { TesseraServer } from '@tessera/server'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import {
  checkAnswer,
  fillPath,
  fuzzServer,
  junkBody,
  junkHeaders,
  PASSWORD,
  pathParameter,
  type Route,
  routesOf,
  runs,
  SEED,
  secretsOf,
} from './fuzz-server.js'

// Every operation of the OpenAPI document with junk bodies, headers, content types and methods
// (issue 31, item 2): never a 5xx, a contract-shaped error, no stack, no credential quoted back.
const tempDir = useTempDirs()
let server: TesseraServer
let routes: Route[]
let fields: string[]
let tokens: string[]
const statuses = new Map<number, number>()

beforeAll(async () => {
  server = await fuzzServer(tempDir())
  ;({ routes, fields } = await routesOf(server))
  const user = { username: 'fuzzer', password: PASSWORD, email: 'fuzzer@example.com' }
  await server.app.inject({ method: 'POST', url: '/api/register/', payload: user })
  const login = await server.app.inject({ method: 'POST', url: '/api/token/', payload: user })
  const { access, refresh } = login.json() as { access: string; refresh: string }
  tokens = [access, refresh]
})

afterAll(() => server.close())

describe('fuzz: every JSON endpoint', () => {
  it('lists the operations it fuzzes from the OpenAPI document', () => {
    // A guard against fuzzing nothing: the document must hold the token and djoser routes.
    const names = routes.map(({ method, path }) => `${method} ${path}`)
    expect(names).toEqual(expect.arrayContaining(['POST /api/token/', 'POST /auth/users/']))
    expect(routes.length).toBeGreaterThan(30)
    expect(fields).toEqual(expect.arrayContaining(['username', 'password', 'refresh', 'token']))
  })

  it('junk bodies and headers on each documented operation (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        pathParameter,
        junkBody(fields, tokens),
        junkHeaders(tokens),
        async (which, parameter, body, headers) => {
          const route = routes[which % routes.length] as Route
          const sent = {
            authorization: headers.authorization,
            cookie: headers.cookie,
            'content-type': headers.contentType,
          }
          const response = await server.app.inject({
            method: route.method as 'POST',
            url: fillPath(route.path, parameter),
            headers: Object.fromEntries(Object.entries(sent).filter(([, v]) => v !== undefined)),
            ...(route.method === 'GET' || route.method === 'HEAD' ? {} : { payload: body }),
          })
          statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1)
          checkAnswer(response, secretsOf(body, sent))
        },
      ),
      { seed: SEED, numRuns: runs(1000) },
    )
    // The junk reached the handlers, not only the parsers: answers of every kind came back.
    expect([...statuses.keys()]).toEqual(expect.arrayContaining([200, 400, 401, 404, 415]))
  })

  it('methods a path does not have, and valid JSON bodies with mutated members (seeded)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
        junkBody(fields, tokens),
        fc.boolean(),
        async (which, method, body, authenticated) => {
          const route = routes[which % routes.length] as Route
          const headers: Record<string, string> = { 'content-type': 'application/json' }
          if (authenticated) headers.authorization = `Bearer ${tokens[0]}`
          const response = await server.app.inject({
            method: method as 'POST',
            url: fillPath(route.path, '1'),
            headers,
            ...(method === 'GET' || method === 'HEAD' ? {} : { payload: body }),
          })
          checkAnswer(response, secretsOf(body, {}))
        },
      ),
      { seed: SEED + 1, numRuns: runs(500) },
    )
  })
})
