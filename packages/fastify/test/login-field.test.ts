import type { FastifyInstance } from 'fastify'
import { beforeEach, describe, expect, test } from 'vitest'
import { postJson } from './contract-helpers.js'
import { buildDjoserApp } from './djoser-fixture.js'

// djoser's LOGIN_FIELD=email: logins name the user by address, addresses are unique in any case.

const PASSWORD = 'correct horse battery'
const TAKEN = { email: ['user with this email address already exists.'] }
let app: FastifyInstance

beforeEach(async () => {
  ;({ app } = await buildDjoserApp({}, {}, { loginField: 'email' }))
})

const register = (username: string, email: unknown, url = '/auth/users/') =>
  postJson(app, url, { username, email, password: PASSWORD })

describe('LOGIN_FIELD=email', () => {
  test('/api/token/ and /auth/jwt/create/ take {email, password}, in any case', async () => {
    expect((await register('peter', 'Peter@Example.com')).statusCode).toBe(201)
    for (const url of ['/api/token/', '/auth/jwt/create/']) {
      const ok = await postJson(app, url, { email: 'PETER@example.COM', password: PASSWORD })
      expect(ok.statusCode).toBe(200)
      const byName = await postJson(app, url, { username: 'peter', password: PASSWORD })
      expect(byName.statusCode).toBe(400)
      expect(byName.json().email).toEqual(['This field is required.'])
      const wrong = await postJson(app, url, { email: 'peter@example.com', password: 'nope nope' })
      expect(wrong.statusCode).toBe(401)
    }
  })

  test("registration needs an address and refuses a taken one with Django's message", async () => {
    await register('peter', 'peter@example.com')
    const again = await register('peter2', 'PETER@EXAMPLE.COM')
    expect([again.statusCode, again.json()]).toEqual([400, TAKEN])
    const api = await register('peter3', 'Peter@example.com', '/api/register/')
    expect([api.statusCode, api.json()]).toEqual([400, TAKEN])
    const none = await register('mary', undefined)
    expect(none.json()).toEqual({ email: ['This field is required.'] })
    const blank = await register('mary', '')
    expect(blank.json()).toEqual({ email: ['This field may not be blank.'] })
  })

  test('of 20 concurrent registrations with one address, exactly one is created', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        app.inject({
          method: 'POST',
          url: '/auth/users/',
          payload: { username: `racer${index}`, email: 'race@example.com', password: PASSWORD },
          remoteAddress: `198.51.100.${index}`,
        }),
      ),
    )
    const statuses = responses.map((response) => response.statusCode).sort()
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.filter((status) => status === 400)).toHaveLength(19)
    for (const response of responses.filter((r) => r.statusCode === 400)) {
      expect(response.json()).toEqual(TAKEN)
    }
  })
})
