import type { Stores } from '@tessera/core'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SoftwareAuthenticator } from '../../core/test/passkeys/software-authenticator.js'
import { serviceNotConfigured } from '../../core/test/service-gate.js'
import { openPostgresTestStores, POSTGRES_URL } from '../../core/test/stores/postgres-fixture.js'
import { buildPasskeyApp, RP } from './passkey-app.js'

// Two instances behind a load balancer share only the database: a ceremony begun on one is
// finished on the other, and its challenge is spent for both.

const PASSWORD = 'correct horse battery'
const post = (app: FastifyInstance, url: string, payload: object, access?: string) =>
  app.inject({
    method: 'POST',
    url,
    payload,
    ...(access === undefined ? {} : { headers: { authorization: `Bearer ${access}` } }),
  })

if (POSTGRES_URL === undefined) {
  describe('passkeys across two instances on one PostgreSQL', () => {
    serviceNotConfigured('passkeys across two instances', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  describe('passkeys across two instances on one PostgreSQL', () => {
    let stores: Stores
    let cleanup: () => Promise<void>
    let one: FastifyInstance
    let two: FastifyInstance
    beforeAll(async () => {
      ;({ stores, cleanup } = await openPostgresTestStores(url, 4))
      one = (await buildPasskeyApp({}, stores)).app
      two = (await buildPasskeyApp({}, stores)).app
    })
    afterAll(async () => {
      await one?.close()
      await two?.close()
      await cleanup?.()
    })

    it('registers and logs in with options from one instance and the answer on the other, once', async () => {
      const authenticator = new SoftwareAuthenticator(RP)
      expect(
        (await post(one, '/api/register/', { username: 'ines', password: PASSWORD })).statusCode,
      ).toBe(201)
      const access = (
        await post(two, '/api/token/', { username: 'ines', password: PASSWORD })
      ).json().access as string
      const creation = await post(one, '/api/passkeys/register/options/', {}, access)
      const response = authenticator.register(creation.json())
      const registered = await post(two, '/api/passkeys/register/verify/', { response }, access)
      expect(registered.statusCode).toBe(201)
      // The registration's challenge is spent on both.
      const again = await post(one, '/api/passkeys/register/verify/', { response }, access)
      expect(again.statusCode).toBe(400)
      const [failed] = await stores.audit.listEvents({ limit: 1 })
      expect(failed).toMatchObject({ type: 'passkey_failed', data: { purpose: 'register' } })
      expect(failed?.data.reason).toMatch(/challenge verifier returned false/)

      const request = (await post(two, '/api/passkeys/login/options/', {})).json()
      const assertion = authenticator.assert(request)
      const [first, second] = await Promise.all([
        post(one, '/api/passkeys/login/verify/', { response: assertion }),
        post(two, '/api/passkeys/login/verify/', { response: assertion }),
      ])
      // The same answer sent to both at once: exactly one login.
      expect([first.statusCode, second.statusCode].sort()).toEqual([200, 401])
    })
  })
}
