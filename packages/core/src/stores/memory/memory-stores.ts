import type { Stores } from '../stores.js'
import { createMemoryAuditStore } from './memory-audit-store.js'
import { createMemoryImportStore } from './memory-import-store.js'
import { createMemoryKeyStore } from './memory-key-store.js'
import { createMemoryMailOutboxStore } from './memory-mail-outbox-store.js'
import { createMemoryMfaStore } from './memory-mfa-store.js'
import { createMemoryPasskeyStore } from './memory-passkey-store.js'
import { createMemoryPermissionStore } from './memory-permission-store.js'
import { createMemoryRevocationStore } from './memory-revocation-store.js'
import { createMemorySessionStore } from './memory-session-store.js'
import { createMemoryState } from './memory-state.js'
import { createMemoryUserStore } from './memory-user-store.js'

/**
 * Stores kept in this process's memory: for tests, development and single-process demos. They
 * follow the contracts exactly as the SQL adapters do (same outcomes, orders and rejections); each
 * call completes within one tick, which makes every call atomic. Nothing survives a restart.
 *
 * @example
 * const stores = createMemoryStores()
 * const user = await stores.users.createUser(newUser)
 */
export function createMemoryStores(): Stores {
  const state = createMemoryState()
  return {
    users: createMemoryUserStore(state),
    permissions: createMemoryPermissionStore(state),
    sessions: createMemorySessionStore(state),
    revocations: createMemoryRevocationStore(state),
    audit: createMemoryAuditStore(state),
    keys: createMemoryKeyStore(state),
    imports: createMemoryImportStore(state),
    mfa: createMemoryMfaStore(state),
    mail: createMemoryMailOutboxStore(state),
    passkeys: createMemoryPasskeyStore(state),
    // Nothing to migrate, reach or close.
    async migrate() {
      return { applied: [] }
    },
    async ping() {},
    async close() {},
  }
}
