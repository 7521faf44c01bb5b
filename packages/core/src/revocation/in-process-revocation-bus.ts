import { EventEmitter } from 'node:events'
import { BusSignals, type RevocationBus, type RevocationBusStatus } from './revocation-bus.js'
import type { RevocationEvent, RevocationEventHandler } from './revocation-event.js'

const EVENT = 'revocation'

/**
 * A bus inside one process: for a single instance, and for tests. Always connected; delivery is
 * synchronous, in publish order, to every subscriber. Pass another in-process bus to share its
 * channel: each handle has its own subscribers and closes on its own, like the connections of
 * a networked bus (several Tessera apps in one process, or one app's instances in a test).
 *
 * @example
 * const bus = new InProcessRevocationBus()
 * const sync = await createRevocationSync({ view, store: stores.revocations, bus })
 */
export class InProcessRevocationBus implements RevocationBus {
  readonly #emitter: EventEmitter
  readonly #signals = new BusSignals(true, undefined)
  readonly #deliver = (event: RevocationEvent) => this.#signals.deliver(event)
  #closed = false

  constructor(shareChannelWith?: InProcessRevocationBus) {
    this.#emitter =
      shareChannelWith === undefined
        ? new EventEmitter().setMaxListeners(0)
        : shareChannelWith.#emitter
    this.#emitter.on(EVENT, this.#deliver)
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
    if (this.#closed) return
    this.#closed = true
    this.#emitter.removeListener(EVENT, this.#deliver)
    this.#signals.setConnected(false)
  }
}
