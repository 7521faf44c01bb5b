import { StoreUnavailableError } from '@tessera/core'
import { guard } from '@tessera/fastify'
import type { FastifyInstance, InjectOptions } from 'fastify'
import { beforeEach, describe, expect, test } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import { bearer, login, PETER, type Response, registerUser, send } from './contract-helpers.js'

// RFC 6749 5.1: a response with tokens carries `Cache-Control: no-store`; so does every answer
// of the API (personal data, errors about tokens), whatever its status. The plugin alone does
// it, without the server: it is a library applications embed.

let context: ContractApp
let app: FastifyInstance
let pair: { refresh: string; access: string }

beforeEach(async () => {
  context = await buildContractApp({
    plugin: {
      slidingTokens: true,
      throttleRates: { loginIp: null, loginUsername: null, register: '2/hour' },
    },
    routes: (host) => {
      host.get('/public', async () => ({ ok: true }))
      host.get(
        '/mine',
        { config: { tessera: { noStore: true } }, preHandler: guard({ check: () => true }) },
        async (request) => ({ user: request.user.isAuthenticated }),
      )
    },
  })
  ;({ app } = context)
  await registerUser(app)
  pair = await login(app)
})

function expectNoStore(response: Response, what: string, status?: number): void {
  if (status !== undefined) expect(response.statusCode, `${what}: ${response.body}`).toBe(status)
  expect(response.headers['cache-control'], `${what}: ${response.statusCode}`).toBe('no-store')
}

const json = (method: string, url: string, body: unknown, token?: string): InjectOptions => ({
  method: method as InjectOptions['method'],
  url,
  payload: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...(token === undefined ? {} : bearer(token)) },
})

describe('every answer of the API is no-store', () => {
  test('tokens, personal data and their successes', async () => {
    const requests: [string, InjectOptions, number][] = [
      ['obtain', json('POST', '/api/token/', PETER), 200],
      ['refresh', json('POST', '/api/token/refresh/', { refresh: pair.refresh }), 200],
      ['verify', json('POST', '/api/token/verify/', { token: pair.access }), 200],
      ['sliding', json('POST', '/api/token/sliding/', PETER), 200],
      ['hello', { method: 'GET', url: '/api/hello/', headers: bearer(pair.access) }, 200],
      ['me', { method: 'GET', url: '/api/me/', headers: bearer(pair.access) }, 200],
      ['me patch', json('PATCH', '/api/me/', { first_name: 'Pete' }, pair.access), 200],
      ['sessions', { method: 'GET', url: '/api/sessions/', headers: bearer(pair.access) }, 200],
      ['options', { method: 'OPTIONS', url: '/api/token/' }, 200],
      [
        'register',
        json('POST', '/api/register/', { username: 'mj', password: PETER.password }),
        201,
      ],
    ]
    for (const [what, request, status] of requests) {
      expectNoStore(await send(app, request), what, status)
    }
    const sliding = (await send(app, json('POST', '/api/token/sliding/', PETER))).json()
    expectNoStore(
      await send(app, json('POST', '/api/token/sliding/refresh/', { token: sliding.token })),
      'sliding refresh',
      200,
    )
    const listed = await send(app, {
      method: 'GET',
      url: '/api/sessions/',
      headers: bearer(pair.access),
    })
    const [own] = listed.json() as { id: string }[]
    expectNoStore(
      await send(app, {
        method: 'DELETE',
        url: `/api/sessions/${own?.id}/`,
        headers: bearer(pair.access),
      }),
      'delete session',
      204,
    )
    const fresh = await login(app)
    expectNoStore(
      await send(
        app,
        json(
          'POST',
          '/api/password/change/',
          { old_password: PETER.password, new_password: 'another horse battery' },
          fresh.access,
        ),
      ),
      'password change',
      200,
    )
    const changed = { username: 'peter', password: 'another horse battery' }
    const again = await login(app, changed)
    expectNoStore(
      await send(app, json('POST', '/api/token/blacklist/', { refresh: again.refresh })),
      'blacklist',
      200,
    )
    const last = await login(app, changed)
    expectNoStore(
      await send(app, json('POST', '/api/logout/all/', {}, last.access)),
      'logout all',
      200,
    )
  })

  test.each<[string, () => InjectOptions, number]>([
    ['no credentials', () => ({ method: 'GET', url: '/api/me/' }), 401],
    ['a bad token', () => ({ method: 'GET', url: '/api/me/', headers: bearer('a.b.c') }), 401],
    ['bad credentials', () => json('POST', '/api/token/', { ...PETER, password: 'no' }), 401],
    ['a bad refresh token', () => json('POST', '/api/token/refresh/', { refresh: 'x' }), 401],
    ['field errors', () => json('POST', '/api/token/', {}), 400],
    ['broken JSON', () => ({ ...json('POST', '/api/token/', {}), payload: '{"a":' }), 400],
    ['an unknown API path', () => ({ method: 'GET', url: '/api/nowhere/' }), 404],
    ['a wrong method', () => ({ method: 'PUT', url: '/api/token/' }), 405],
    [
      'an unsupported media type',
      () => ({
        method: 'POST',
        url: '/api/token/',
        payload: 'x',
        headers: { 'content-type': 'text/plain' },
      }),
      415,
    ],
  ])('%s', async (what, request, status) => {
    expectNoStore(await send(app, request()), what, status)
  })

  test('429 and 503', async () => {
    const register = (username: string) =>
      send(app, json('POST', '/api/register/', { username, password: PETER.password }))
    await register('a1')
    const throttled = await register('a2')
    expect(throttled.statusCode).toBe(429)
    expectNoStore(throttled, 'throttled')

    Object.assign(context.stores.users, {
      findUserById: () => Promise.reject(new StoreUnavailableError('down', 'ECONNREFUSED')),
    })
    app.tessera.users.invalidate('1')
    const unavailable = await send(app, {
      method: 'GET',
      url: '/api/me/',
      headers: bearer(pair.access),
    })
    expect(unavailable.statusCode).toBe(503)
    expectNoStore(unavailable, 'store down')
  })
})

describe("the host application's routes", () => {
  test('are left alone unless they ask', async () => {
    const response = await send(app, { method: 'GET', url: '/public' })
    expect(response.statusCode).toBe(200)
    expect(response.headers['cache-control']).toBeUndefined()
  })

  test('config.tessera.noStore makes one no-store, its 401 included', async () => {
    expectNoStore(
      await send(app, { method: 'GET', url: '/mine', headers: bearer(pair.access) }),
      'mine',
    )
    const refused = await send(app, { method: 'GET', url: '/mine', headers: bearer('a.b.c') })
    expect(refused.statusCode).toBe(401)
    expectNoStore(refused, 'mine, bad token')
  })
})
