import type { FastifyInstance } from 'fastify'
import { beforeAll, describe, expect, test } from 'vitest'
import { buildContractApp } from './contract-app.js'
import {
  bearer,
  expectBody,
  givenTokenNotValid,
  login,
  methodNotAllowed,
  NOT_AUTHENTICATED,
  NOT_FOUND,
  registerUser,
  send,
} from './contract-helpers.js'

// api-contract.md, "General rules": 405 for wrong methods (DRF's order: authentication and
// permissions first) and 404 under /api. One app: nothing here changes state that matters.

let app: FastifyInstance
let access: string
let sessionUrl: string

beforeAll(async () => {
  ;({ app } = await buildContractApp())
  await registerUser(app)
  ;({ access } = await login(app))
  const sessions = await send(app, {
    method: 'GET',
    url: '/api/sessions/',
    headers: bearer(access),
  })
  sessionUrl = `/api/sessions/${(sessions.json() as { id: string }[])[0]?.id}/`
})

const POST_ONLY = 'POST, OPTIONS'
const GET_ONLY = 'GET, HEAD, OPTIONS'
const ENDPOINTS: readonly (readonly [string, string])[] = [
  ['/api/token/', POST_ONLY],
  ['/api/token/refresh/', POST_ONLY],
  ['/api/token/verify/', POST_ONLY],
  ['/api/token/blacklist/', POST_ONLY],
  ['/api/register/', POST_ONLY],
  ['/api/password/change/', POST_ONLY],
  ['/api/logout/all/', POST_ONLY],
  ['/api/hello/', GET_ONLY],
  ['/api/sessions/', GET_ONLY],
  ['/api/me/', 'GET, PATCH, HEAD, OPTIONS'],
  ['<session>', 'DELETE, OPTIONS'],
]

describe('405 for wrong methods on every endpoint', () => {
  test.each(ENDPOINTS)('%s allows %s', async (path, allow) => {
    const url = path === '<session>' ? sessionUrl : path
    const wrong = (['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const).filter(
      (method) => !allow.split(', ').includes(method),
    )
    expect(wrong.length).toBeGreaterThan(0)
    for (const method of wrong) {
      // Signed in, so DRF's authentication and permissions pass and the method decides.
      const response = await send(app, { method, url, headers: bearer(access) })
      expectBody(response, 405, methodNotAllowed(method))
      expect(response.headers.allow).toBe(allow)
    }
  })

  test('without the trailing slash too', async () => {
    const response = await send(app, { method: 'GET', url: '/api/token' })
    expectBody(response, 405, methodNotAllowed('GET'))
    expect(response.headers.allow).toBe(POST_ONLY)
  })

  test('a token view answers 405 whatever the Authorization header (it does not authenticate)', async () => {
    const response = await send(app, {
      method: 'GET',
      url: '/api/token/',
      headers: bearer('not-a-token'),
    })
    expectBody(response, 405, methodNotAllowed('GET'))
  })

  test('DRF authenticates and checks permissions before the method: anonymous gets 401', async () => {
    const response = await send(app, { method: 'POST', url: '/api/hello/' })
    expectBody(response, 401, NOT_AUTHENTICATED)
  })

  test('... and a bad token gets the token body, not 405', async () => {
    const response = await send(app, {
      method: 'DELETE',
      url: '/api/me/',
      headers: bearer('not-a-token'),
    })
    expectBody(response, 401, givenTokenNotValid('Token is invalid'))
  })
})

describe('OPTIONS', () => {
  test('answers the allowed methods', async () => {
    const response = await send(app, { method: 'OPTIONS', url: '/api/token/' })
    expectBody(response, 200, {})
    expect(response.headers.allow).toBe(POST_ONLY)
    const signedIn = await send(app, {
      method: 'OPTIONS',
      url: '/api/me/',
      headers: bearer(access),
    })
    expect(signedIn.headers.allow).toBe('GET, PATCH, HEAD, OPTIONS')
  })

  test('on a protected view, anonymous gets 401 first, as DRF', async () => {
    expectBody(await send(app, { method: 'OPTIONS', url: '/api/hello/' }), 401, NOT_AUTHENTICATED)
  })
})

describe('404 for unknown paths under /api', () => {
  test.each([
    ['GET', '/api/nope'],
    ['GET', '/api/nope/'],
    ['POST', '/api/token/nope/'],
    ['GET', '/api/'],
    ['DELETE', '/api'],
    ['GET', '/api//token/'],
    ['POST', '/api/token//'],
    ['GET', '/api/hello/extra/'],
  ] as const)('%s %s', async (method, url) => {
    expectBody(await send(app, { method, url }), 404, NOT_FOUND)
  })

  test('a bearer token does not matter on an unknown path', async () => {
    expectBody(
      await send(app, { method: 'GET', url: '/api/nope/', headers: bearer(access) }),
      404,
      NOT_FOUND,
    )
    expectBody(
      await send(app, { method: 'GET', url: '/api/nope/', headers: bearer('x') }),
      404,
      NOT_FOUND,
    )
  })
})
