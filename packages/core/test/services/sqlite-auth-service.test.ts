import { createSqliteStores } from '@tessera/core/sqlite'
import { createTempSqliteFile } from '../stores/sqlite-fixture.js'
import { describeAuthService } from './auth-service-suite.js'

describeAuthService('SQLite (file, WAL)', async () => {
  const file = await createTempSqliteFile()
  const stores = await createSqliteStores({ database: await file.open() })
  return {
    stores,
    cleanup: async () => {
      await stores.close()
      await file.remove()
    },
  }
})
