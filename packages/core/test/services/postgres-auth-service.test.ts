import { describe } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import { openPostgresTestStores, POSTGRES_URL } from '../stores/postgres-fixture.js'
import { describeAuthService } from './auth-service-suite.js'

if (POSTGRES_URL === undefined) {
  describe('AuthService on PostgreSQL', () => {
    serviceNotConfigured('AuthService on PostgreSQL', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  describeAuthService('PostgreSQL (pool of 10)', () => openPostgresTestStores(url, 10))
}
