import { describe, expect, it } from 'vitest'
import type { GetStores } from './fixtures.js'

/** Stores: migrate is idempotent, ping answers. */
export function describeBundle(getStores: GetStores): void {
  describe('Stores', () => {
    it('migrate has nothing left to apply once the stores exist, however often it runs', async () => {
      const stores = getStores()
      const reports = await Promise.all([stores.migrate(), stores.migrate(), stores.migrate()])
      for (const report of reports) expect(report).toEqual({ applied: [] })
    })

    it('ping resolves while the backend answers', async () => {
      await expect(getStores().ping()).resolves.toBeUndefined()
    })
  })
}
