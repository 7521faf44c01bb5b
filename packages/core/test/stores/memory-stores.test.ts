import { createMemoryStores } from '@tessera/core/memory'
import { describeStoreConformance } from './store-conformance.js'

describeStoreConformance('memory', async () => ({
  stores: createMemoryStores(),
  cleanup: async () => {},
}))
