import type { Stores } from '@tessera/core'
import { afterEach, beforeEach, describe } from 'vitest'
import { describeAdminQueries } from './conformance/admin-query-cases.js'
import { describeAuditStore } from './conformance/audit-cases.js'
import { describeBundle } from './conformance/bundle-cases.js'
import { describeConsume } from './conformance/consume-cases.js'
import { describeImportStore } from './conformance/import-cases.js'
import { describeInjection } from './conformance/injection-cases.js'
import { describeKeyStore } from './conformance/key-cases.js'
import { describeMailOutboxStore } from './conformance/mail-outbox-cases.js'
import { describeMfaStore } from './conformance/mfa-cases.js'
import { describePasskeyStore } from './conformance/passkey-cases.js'
import { describePermissionStore } from './conformance/permission-cases.js'
import { describeRevocationStore } from './conformance/revocation-cases.js'
import { describeSessionStore } from './conformance/session-cases.js'
import { describeSessionLifecycle } from './conformance/session-lifecycle-cases.js'
import { describeUserStore } from './conformance/user-cases.js'
import {
  describeFindUsersByEmail,
  describeUniqueEmail,
  describeUpdateUserIf,
} from './conformance/user-email-cases.js'

/** Fresh, empty stores for one test, and how to dispose of them. */
export interface StoresFixture {
  readonly stores: Stores
  readonly cleanup: () => Promise<void>
}

/**
 * The store conformance suite: every method of every contract, the atomicity they promise and the
 * injection threat, run against one adapter. `makeStores` runs before each test and must return
 * empty, migrated stores; `cleanup` runs after it.
 *
 * @example
 * describeStoreConformance('memory', async () => ({ stores: createMemoryStores(), cleanup: async () => {} }))
 */
export function describeStoreConformance(
  name: string,
  makeStores: () => Promise<StoresFixture>,
): void {
  describe(`store conformance: ${name}`, () => {
    let fixture: StoresFixture | undefined

    beforeEach(async () => {
      fixture = await makeStores()
    })

    afterEach(async () => {
      await fixture?.cleanup()
      fixture = undefined
    })

    const getStores = (): Stores => {
      if (!fixture) throw new Error('stores are only available inside a test')
      return fixture.stores
    }

    describeUserStore(getStores)
    describePermissionStore(getStores)
    describeSessionStore(getStores)
    describeConsume(getStores)
    describeSessionLifecycle(getStores)
    describeRevocationStore(getStores)
    describeAuditStore(getStores)
    describeKeyStore(getStores)
    describeImportStore(getStores)
    describeMfaStore(getStores)
    describeMailOutboxStore(getStores)
    describePasskeyStore(getStores)
    describeFindUsersByEmail(getStores)
    describeUniqueEmail(getStores)
    describeUpdateUserIf(getStores)
    describeAdminQueries(getStores)
    describeInjection(getStores)
    describeBundle(getStores)
  })
}
