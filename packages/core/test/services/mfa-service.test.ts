import { createMemoryStores } from '@tessera/core/memory'
import { createSqliteStores } from '@tessera/core/sqlite'
import { createTempSqliteFile } from '../stores/sqlite-fixture.js'
import { describeMfaService } from './mfa-service-suite.js'

describeMfaService('memory', async () => {
  const stores = createMemoryStores()
  return { stores, cleanup: () => stores.close() }
})

describeMfaService('SQLite (file, WAL)', async () => {
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
