import type { RevocationEvent, RevocationEventHandler } from './revocation-event.js'

/** A bus's connection state changes: `down` when it may be missing events, `up` when it hears again. */
export type RevocationBusStatus = 'down' | 'up'

/**
 * Carries revocations between processes. At-most-once delivery is enough: the store is the
 * record, and a bus only has to say when it may have missed something (`down`), so that the
 * view fails closed and catches up from the store after `up`.
 */
export interface RevocationBus {
  /** Sends the event to every subscriber, this process's included. Rejects when it could not. */
  publish(event: RevocationEvent): Promise<void>
  /** Adds a handler for delivered events (well-formed ones only). */
  subscribe(handler: RevocationEventHandler): void
  /** Adds a listener for status changes; `down` and `up` alternate, starting from {@link connected}. */
  on(status: RevocationBusStatus, listener: () => void): void
  /** Whether the bus hears events now. */
  readonly connected: boolean
  /** Stops listening and releases what the bus opened (never injected pools or clients). */
  close(): Promise<void>
}

/**
 * The bookkeeping every bus shares: handlers, status listeners, and one `down`/`up` transition
 * per change. Internal.
 */
export class BusSignals {
  readonly #handlers: RevocationEventHandler[] = []
  readonly #listeners: Record<RevocationBusStatus, (() => void)[]> = { down: [], up: [] }
  readonly #onError: (error: unknown) => void
  #connected: boolean

  constructor(connected: boolean, onError: ((error: unknown) => void) | undefined) {
    this.#connected = connected
    this.#onError = onError ?? (() => {})
  }

  get connected(): boolean {
    return this.#connected
  }

  subscribe(handler: RevocationEventHandler): void {
    this.#handlers.push(handler)
  }

  on(status: RevocationBusStatus, listener: () => void): void {
    this.#listeners[status].push(listener)
  }

  deliver(event: RevocationEvent): void {
    for (const handler of this.#handlers) this.#call(() => handler(event))
  }

  setConnected(connected: boolean): void {
    if (connected === this.#connected) return
    this.#connected = connected
    for (const listener of this.#listeners[connected ? 'up' : 'down']) this.#call(listener)
  }

  error(error: unknown): void {
    try {
      this.#onError(error)
    } catch {
      // An error reporter that throws must not take the bus down.
    }
  }

  #call(fn: () => void): void {
    try {
      fn()
    } catch (error) {
      this.error(error)
    }
  }
}

/** Exponential backoff between reconnects, in seconds: min, doubling, capped at max. */
export function nextBackoff(current: number, min: number, max: number): number {
  return current <= 0 ? min : Math.min(current * 2, max)
}
