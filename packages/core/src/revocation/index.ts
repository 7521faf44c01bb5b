/**
 * Revocation everywhere at memory speed: the per-process view the verifier asks, the bus
 * contract, the in-process bus, and the sync that keeps a view in step with the store.
 * Driver-backed buses live in `@tessera/core/postgres-bus` and `@tessera/core/redis-bus`.
 */
export { InProcessRevocationBus } from './in-process-revocation-bus.js'
export type { RevocationBus, RevocationBusStatus } from './revocation-bus.js'
export {
  parseRevocationEvent,
  type RevocationEvent,
  type RevocationEventHandler,
  serializeRevocationEvent,
} from './revocation-event.js'
export {
  createRevocationSync,
  type RevocationSync,
  type RevocationSyncOptions,
} from './revocation-sync.js'
export {
  RevocationView,
  type RevocationViewOptions,
  type RevocationViewSize,
} from './revocation-view.js'
