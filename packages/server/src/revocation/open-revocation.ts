import cluster from 'node:cluster'
import {
  createRevocationSync,
  InProcessRevocationBus,
  type RevocationBus,
  type RevocationSync,
  RevocationView,
  type Stores,
} from '@tessera/core'
import { ClusterRevocationBus } from '../cluster/cluster-revocation-bus.js'

/** The revocation view of this process, kept in step with the store and the other processes. */
export interface ServerRevocation {
  readonly view: RevocationView
  readonly sync: RevocationSync
  readonly bus: RevocationBus
  close(): Promise<void>
}

/**
 * Loads every live revocation into a new view and keeps it current through a bus: the given
 * one, else node:cluster IPC in a `--workers` worker, else in-process. Access tokens are then
 * checked against the view on every request, synchronously.
 */
export async function openRevocation(
  stores: Stores,
  options: { bus?: RevocationBus; leewaySeconds: number; onError: (error: unknown) => void },
): Promise<ServerRevocation> {
  const view = new RevocationView({ leewaySeconds: options.leewaySeconds })
  const bus =
    options.bus ?? (cluster.isWorker ? new ClusterRevocationBus() : new InProcessRevocationBus())
  const sync = await createRevocationSync({
    view,
    store: stores.revocations,
    bus,
    onError: options.onError,
  })
  return {
    view,
    sync,
    bus,
    async close() {
      sync.close()
      if (options.bus === undefined) await bus.close()
    },
  }
}
