import {
  parseRevocationEvent,
  type RevocationBus,
  type RevocationBusStatus,
  type RevocationEvent,
  type RevocationEventHandler,
  serializeRevocationEvent,
} from '@tessera/core'

/** The IPC message type the primary relays between workers. */
export const REVOCATION_MESSAGE = 'tessera:revocation'

interface RevocationMessage {
  readonly type: typeof REVOCATION_MESSAGE
  readonly event: string
}

function isRevocationMessage(message: unknown): message is RevocationMessage {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as RevocationMessage).type === REVOCATION_MESSAGE &&
    typeof (message as RevocationMessage).event === 'string'
  )
}

/** Options of {@link ClusterRevocationBus}. */
export interface ClusterRevocationBusOptions {
  /** Reports malformed events and handlers that throw; default: ignore. */
  readonly onError?: (error: unknown) => void
}

/**
 * The revocation bus of `tessera serve --workers N`: a worker sends events to the primary over
 * node:cluster's IPC channel and the primary relays them to every worker, the sender included.
 * The channel is the process's own pipe: it is up while the worker lives, so the bus never
 * reports `down` (a dead primary takes its workers with it).
 */
export class ClusterRevocationBus implements RevocationBus {
  readonly #handlers: RevocationEventHandler[] = []
  readonly #onError: (error: unknown) => void
  readonly #onMessage = (message: unknown) => {
    if (!isRevocationMessage(message)) return
    const event = parseRevocationEvent(message.event)
    // Named, never quoted: a payload is input.
    if (event === undefined) return this.#report(new Error('malformed revocation payload'))
    for (const handler of this.#handlers) {
      try {
        handler(event)
      } catch (error) {
        this.#report(error)
      }
    }
  }

  constructor(options: ClusterRevocationBusOptions = {}) {
    if (typeof process.send !== 'function') {
      throw new Error('ClusterRevocationBus runs in a cluster worker only')
    }
    this.#onError = options.onError ?? (() => {})
    process.on('message', this.#onMessage)
  }

  #report(error: unknown): void {
    try {
      this.#onError(error)
    } catch {
      // A reporter that throws must not stop the deliveries.
    }
  }

  get connected(): boolean {
    return process.connected
  }

  publish(event: RevocationEvent): Promise<void> {
    const message: RevocationMessage = {
      type: REVOCATION_MESSAGE,
      event: serializeRevocationEvent(event),
    }
    return new Promise((resolve, reject) => {
      process.send?.(message, undefined, {}, (error) => (error ? reject(error) : resolve()))
    })
  }

  subscribe(handler: RevocationEventHandler): void {
    this.#handlers.push(handler)
  }

  on(_status: RevocationBusStatus, _listener: () => void): void {
    // The IPC pipe lives as long as this worker: there is no down state to report.
  }

  async close(): Promise<void> {
    process.removeListener('message', this.#onMessage)
  }
}

/** In the primary: relays every worker's revocation messages to all workers. */
export function relayRevocations(
  message: unknown,
  workers: Iterable<{ send(message: unknown): boolean }>,
): void {
  if (!isRevocationMessage(message)) return
  for (const worker of workers) worker.send(message)
}
