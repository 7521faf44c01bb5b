import { createPostgresStores } from '@tessera/core/postgres'
import { describe } from 'vitest'
import { serviceNotConfigured } from '../service-gate.js'
import {
  dropSchema,
  openTestPool,
  POSTGRES_URL,
  randomSchemaName,
} from '../stores/postgres-fixture.js'
import { describeAuthService } from './auth-service-suite.js'

if (POSTGRES_URL === undefined) {
  describe('AuthService on PostgreSQL', () => {
    serviceNotConfigured('AuthService on PostgreSQL', ['TESSERA_TEST_POSTGRES_URL'])
  })
} else {
  const url = POSTGRES_URL
  describeAuthService('PostgreSQL (pool of 10)', async () => {
    const pool = await openTestPool(url, 10)
    const schema = randomSchemaName()
    const stores = await createPostgresStores({ pool, schema })
    return {
      stores,
      cleanup: async () => {
        await stores.close()
        await dropSchema(pool, schema)
        await pool.end()
      },
    }
  })
}
