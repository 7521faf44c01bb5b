import { createMemoryStores } from '@tessera/core/memory'
import { describeAuthService } from './auth-service-suite.js'

describeAuthService('memory', async () => {
  const stores = createMemoryStores()
  return { stores, cleanup: () => stores.close() }
})
