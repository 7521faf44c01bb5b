import { EventEmitter } from 'node:events'
import { BusSignals, type RevocationBus, type RevocationBusStatus } from './revocation-bus.js'
import type { RevocationEvent, RevocationEventHandler } from './revocation-event.js'

const EVENT = 'revocation'

/**
 * A bus inside one process: for a single instance, and for tests. Always connected; delivery is
 * synchronous, in publish order, to every subscriber.
 *
 * @example
 * const bus = new InProcessRevocationBus()
 * const sync = await createRevocationSync({ view, store: stores.revocations, bus })
 */
export class InProcessRevocationBus implements RevocationBus {
  readonly #emitter = new EventEmitter()
  readonly #signals = new BusSignals(true, undefined)
  #closed = false

  constructor() {
    this.#emitter.setMaxListeners(0)
    this.#emitter.on(EVENT, (event: RevocationEvent) => this.#signals.deliver(event))
  }

  get connected(): boolean {
    return !this.#closed
  }

  async publish(event: RevocationEvent): Promise<void> {
    if (this.#closed) throw new Error('revocation bus is closed')
    this.#emitter.emit(EVENT, event)
  }

  subscribe(handler: RevocationEventHandler): void {
    this.#signals.subscribe(handler)
  }

  on(status: RevocationBusStatus, listener: () => void): void {
    this.#signals.on(status, listener)
  }

  async close(): Promise<void> {
    this.#closed = true
    this.#emitter.removeAllListeners()
    this.#signals.setConnected(false)
  }
}
