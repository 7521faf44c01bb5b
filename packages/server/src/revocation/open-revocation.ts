import {
  createRevocationSync,
  type RevocationBus,
  type RevocationSync,
  RevocationView,
  type Stores,
} from '@tessera/core'

/** The revocation view of this process, kept in step with the store and the other processes. */
export interface ServerRevocation {
  readonly view: RevocationView
  readonly sync: RevocationSync
  /** Stops the sync; the bus stays its owner's. */
  close(): void
}

/** Options of {@link openRevocation}. Durations in seconds. */
export interface OpenRevocationOptions {
  readonly bus: RevocationBus
  readonly leewaySeconds: number
  /** How long the view trusts itself after the bus went down (`REVOCATION_GRACE`). */
  readonly graceSeconds: number
  /** How often the store's changes are re-read, catching what no bus carried. */
  readonly reconcileSeconds: number
  readonly onError: (error: unknown) => void
  /** Told when the bus goes down (the view fails closed after the grace) and comes back. */
  readonly onBusStatus?: (status: 'down' | 'up') => void
}

/**
 * Loads every live revocation into a new view and keeps it current through the bus. Access
 * tokens are then checked against the view on every request, synchronously.
 */
export async function openRevocation(
  stores: Stores,
  options: OpenRevocationOptions,
): Promise<ServerRevocation> {
  const { bus } = options
  const view = new RevocationView({
    leewaySeconds: options.leewaySeconds,
    graceSeconds: options.graceSeconds,
  })
  const sync = await createRevocationSync({
    view,
    store: stores.revocations,
    bus,
    reconcileIntervalSeconds: options.reconcileSeconds,
    onError: options.onError,
  })
  // Closing the bus at shutdown reports it down too: that is no outage worth a warning.
  let closed = false
  bus.on('down', () => {
    if (!closed) options.onBusStatus?.('down')
  })
  bus.on('up', () => options.onBusStatus?.('up'))
  return {
    view,
    sync,
    close() {
      closed = true
      sync.close()
    },
  }
}
