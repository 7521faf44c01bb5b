import { type AuthService, MfaCodeInvalidError, MfaRequiredError } from '@tessera/core'
import { totpCode } from '@tessera/core/mfa'
import { createPostgresStores } from '@tessera/core/postgres'
import { describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import {
  dropSchema,
  openPostgresTestStores,
  openTestPool,
  POSTGRES_URL,
  randomSchemaName,
} from '../stores/postgres-fixture.js'
import { describeMfaService } from './mfa-service-suite.js'
import { frozenClock, makeService, request } from './service-fixture.js'

if (POSTGRES_URL === undefined) {
  describe('MFA services on PostgreSQL', () => {
    serviceNotConfigured('MFA services on PostgreSQL', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  describeMfaService('PostgreSQL (pool of 10)', () => openPostgresTestStores(url, 10))

  describe('MFA across two instances on one PostgreSQL', () => {
    it('accepts one TOTP code exactly once among 20 attempts spread over two instances', async () => {
      const schema = randomSchemaName()
      // Two instances: each its own pool, stores and service, as two servers would have.
      const pools = [await openTestPool(url, 10), await openTestPool(url, 10)]
      try {
        const [one, two] = await Promise.all(
          pools.map((pool) => createPostgresStores({ pool, schema, migrate: false })),
        )
        if (one === undefined || two === undefined) throw new Error('no stores')
        await one.migrate()
        const clock = frozenClock(1_800_000_015)
        const services: AuthService[] = [one, two].map(
          (stores) => makeService(stores, { clock: clock.now }).auth,
        )
        const [first, second] = services as [AuthService, AuthService]
        const password = 'correct horse battery'
        const user = await first.register({ username: 'twin', password })
        const setup = await first.setupTotp(user, password)
        await second.confirmTotp(user, totpCode(setup.secret, clock.now()), request)
        clock.advance(90)
        const tokens = await Promise.all(
          Array.from({ length: 20 }, async (_, index) => {
            const service = services[index % 2] as AuthService
            const error = await service.login('twin', password, request).catch((e: unknown) => e)
            expect(error).toBeInstanceOf(MfaRequiredError)
            return { service, token: (error as MfaRequiredError).mfaToken }
          }),
        )
        const code = totpCode(setup.secret, clock.now())
        const results = await Promise.allSettled(
          tokens.map(({ service, token }) =>
            service.completeMfaLogin(service.verifyMfaToken(token), { code }, request),
          ),
        )
        expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1)
        for (const result of results) {
          if (result.status === 'rejected')
            expect(result.reason).toBeInstanceOf(MfaCodeInvalidError)
        }
        // The one mfa token that won is spent on the other instance too.
        const winner = tokens[results.findIndex((result) => result.status === 'fulfilled')]
        const other = services.find((service) => service !== winner?.service) as AuthService
        clock.advance(30)
        await expect(
          other.completeMfaLogin(
            other.verifyMfaToken(winner?.token as string),
            { code: totpCode(setup.secret, clock.now()) },
            request,
          ),
        ).rejects.toMatchObject({ code: 'token_revoked' })
      } finally {
        await dropSchema(pools[0] as never, schema)
        await Promise.all(pools.map((pool) => pool.end()))
      }
    })
  })
}
