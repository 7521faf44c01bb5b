import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest'
import { buildTestApp, peterParker } from './app-fixture.js'
import { buildContractApp } from './contract-app.js'
import {
  BAD_CREDENTIALS,
  bearer,
  expectBody,
  freezeClock,
  get,
  login,
  NOT_AUTHENTICATED,
  PETER,
  postJson,
  registerUser,
  send,
} from './contract-helpers.js'

// api-contract.md, "Beyond simplejwt": registration, the hello example and the profile.

let app: FastifyInstance

beforeEach(async () => {
  ;({ app } = await buildContractApp())
})

afterEach(() => {
  vi.useRealTimers()
})

const register = (body: Record<string, unknown>) => postJson(app, '/api/register/', body)
const TAKEN = { username: ['A user with that username already exists.'] }

describe('POST /api/register/', () => {
  test('201 with exactly id, username, email, first_name, last_name', async () => {
    const response = await register({
      username: 'peter',
      password: PETER.password,
      email: 'peter@example.com',
      first_name: 'Peter',
      last_name: 'Parker',
    })
    expectBody(response, 201, {
      id: '1',
      username: 'peter',
      email: 'peter@example.com',
      first_name: 'Peter',
      last_name: 'Parker',
    })
  })

  test('optional fields default to empty strings; the user can log in', async () => {
    expectBody(await register(PETER), 201, {
      id: '1',
      username: 'peter',
      email: '',
      first_name: '',
      last_name: '',
    })
    expect(Object.keys(await login(app))).toEqual(['refresh', 'access'])
  })

  test.each(['peter', 'Peter', 'PETER', 'ｐｅｔｅｒ', 'ｐeter'])(
    '400 taken, look-alikes included: %s',
    async (username) => {
      await registerUser(app)
      expectBody(await register({ username, password: 'another horse battery' }), 400, TAKEN)
    },
  )

  test.each([
    ['xQ9#z', ['This password is too short. It must contain at least 8 characters.']],
    ['12345678', ['This password is too common.', 'This password is entirely numeric.']],
    [
      '1234567',
      [
        'This password is too short. It must contain at least 8 characters.',
        'This password is too common.',
        'This password is entirely numeric.',
      ],
    ],
    ['spiderman99!', ['The password is too similar to the username.']],
  ])('password validators: %s', async (password, messages) => {
    expectBody(await register({ username: 'spiderman99', password }), 400, { password: messages })
  })

  test('a password too similar to the email address', async () => {
    const response = await register({
      username: 'mj',
      password: 'maryjane.watson',
      email: 'maryjane.watson@example.com',
    })
    expectBody(response, 400, { password: ['The password is too similar to the email address.'] })
  })

  test('required fields, only the bad keys', async () => {
    expectBody(await register({}), 400, {
      username: ['This field is required.'],
      password: ['This field is required.'],
    })
    expectBody(await register({ username: 'mj' }), 400, { password: ['This field is required.'] })
  })

  test('username and email rules', async () => {
    expectBody(await register({ username: 'peter parker', password: PETER.password }), 400, {
      username: [
        'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
      ],
    })
    expectBody(await register({ username: 'x'.repeat(151), password: PETER.password }), 400, {
      username: ['Ensure this field has no more than 150 characters.'],
    })
    expectBody(await register({ ...PETER, email: 'not-an-email' }), 400, {
      email: ['Enter a valid email address.'],
    })
  })

  test('privileged members are ignored', async () => {
    await registerUser(app, { is_staff: true, is_superuser: true, id: '42' })
    const { access } = await login(app)
    const me = (await get(app, '/api/me/', access)).json() as Record<string, unknown>
    expect(me).toMatchObject({ id: '1', is_staff: false })
  })
})

describe('GET /api/hello/', () => {
  test('{"msg": "Hello <first_name> <last_name>"}', async () => {
    const fixture = await buildTestApp()
    const { access } = await peterParker(fixture.app)
    expectBody(await get(fixture.app, '/api/hello/', access), 200, { msg: 'Hello Peter Parker' })
  })

  test('anonymous: 401', async () => {
    expectBody(await get(app, '/api/hello/'), 401, NOT_AUTHENTICATED)
  })
})

describe('GET and PATCH /api/me/', () => {
  test('GET: the signed-in user', async () => {
    freezeClock(Date.UTC(2030, 0, 1, 12))
    await registerUser(app)
    const { access } = await login(app)
    expectBody(await get(app, '/api/me/', access), 200, {
      id: '1',
      username: 'peter',
      email: 'peter@example.com',
      first_name: 'Peter',
      last_name: 'Parker',
      is_staff: false,
      date_joined: '2030-01-01T12:00:00.000Z',
      last_login: null,
    })
  })

  test('GET: last_login with UPDATE_LAST_LOGIN', async () => {
    ;({ app } = await buildContractApp({ settings: { UPDATE_LAST_LOGIN: true } }))
    freezeClock(Date.UTC(2030, 0, 1, 12))
    await registerUser(app)
    const { access } = await login(app)
    const me = (await get(app, '/api/me/', access)).json() as { last_login: string }
    expect(me.last_login).toBe('2030-01-01T12:00:00.000Z')
  })

  test('PATCH: changes names and email, answers the profile, hello follows', async () => {
    await registerUser(app)
    const { access } = await login(app)
    const response = await send(app, {
      method: 'PATCH',
      url: '/api/me/',
      payload: { first_name: 'Pete', email: 'Pete@Example.COM' },
      headers: bearer(access),
    })
    expectBody(response, 200, {
      id: '1',
      username: 'peter',
      email: 'Pete@example.com',
      first_name: 'Pete',
      last_name: 'Parker',
    })
    expectBody(await get(app, '/api/hello/', access), 200, { msg: 'Hello Pete Parker' })
  })

  test('PATCH: field errors, only the bad keys; nothing changes', async () => {
    await registerUser(app)
    const { access } = await login(app)
    const response = await send(app, {
      method: 'PATCH',
      url: '/api/me/',
      payload: { email: 'nope', first_name: 7, last_name: 'Ok' },
      headers: bearer(access),
    })
    expectBody(response, 400, {
      email: ['Enter a valid email address.'],
      first_name: ['Not a valid string.'],
    })
    expectBody(await get(app, '/api/hello/', access), 200, { msg: 'Hello Peter Parker' })
  })

  test('PATCH: username, is_staff and password are not changed here', async () => {
    await registerUser(app)
    const { access } = await login(app)
    const payload = { username: 'admin', is_staff: true, password: 'x', is_superuser: true }
    await send(app, { method: 'PATCH', url: '/api/me/', payload, headers: bearer(access) })
    const me = (await get(app, '/api/me/', access)).json() as Record<string, unknown>
    expect(me).toMatchObject({ username: 'peter', is_staff: false })
    expectBody(
      await postJson(app, '/api/token/', { username: 'peter', password: 'x' }),
      401,
      BAD_CREDENTIALS,
    )
  })

  test('anonymous: 401', async () => {
    expectBody(await get(app, '/api/me/'), 401, NOT_AUTHENTICATED)
    const response = await send(app, { method: 'PATCH', url: '/api/me/', payload: {} })
    expectBody(response, 401, NOT_AUTHENTICATED)
  })
})
