import { BusSignals, type RevocationBus, type RevocationBusStatus } from '../revocation-bus.js'
import {
  parseRevocationEvent,
  type RevocationEvent,
  type RevocationEventHandler,
  serializeRevocationEvent,
} from '../revocation-event.js'

/** The subset of an ioredis client used to publish. */
export interface RedisPublisher {
  publish(channel: string, message: string): Promise<unknown>
}

/**
 * The subset of an ioredis client used to subscribe: a dedicated connection (a subscribed
 * connection can run nothing else), left to reconnect by itself (ioredis does, with backoff).
 */
export interface RedisSubscriber {
  /** ioredis's connection status; `ready` when commands go through. */
  readonly status: string
  subscribe(channel: string): Promise<unknown>
  unsubscribe(channel: string): Promise<unknown>
  ping(): Promise<unknown>
  /** ioredis: drop the connection, reconnecting when `reconnect` is true. */
  disconnect(reconnect?: boolean): void
  on(event: 'message', listener: (channel: string, message: string) => void): unknown
  on(event: 'ready' | 'close' | 'end', listener: () => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** Options of {@link createRedisRevocationBus}. Durations in seconds. */
export interface RedisRevocationBusOptions {
  /** Publishes; any client (it may be shared). The bus never closes it. */
  readonly publisher: RedisPublisher
  /** Subscribes; a client of its own. The bus unsubscribes on close and never quits it. */
  readonly subscriber: RedisSubscriber
  /** Default `tessera_revocations`. */
  readonly channel?: string
  /**
   * A PING on the subscriber every this many seconds (default 1; 0: off); no answer by the next
   * one drops the connection (ioredis then reconnects). Bounds how long a silent network failure
   * goes unnoticed.
   */
  readonly heartbeatSeconds?: number
  /** Reports connection errors and malformed payloads; default: ignore. */
  readonly onError?: (error: unknown) => void
}

/**
 * Connects a Redis pub/sub revocation bus; resolves once subscribed. Pub/sub is at-most-once and
 * keeps nothing for absent subscribers: the subscriber's `close` is reported as `down`, and `up`
 * follows once it is ready and subscribed again, so the view catches up from the store.
 *
 * @example
 * import { Redis } from 'ioredis'
 * const bus = await createRedisRevocationBus({
 *   publisher: new Redis(url),
 *   subscriber: new Redis(url),
 * })
 */
export async function createRedisRevocationBus(
  options: RedisRevocationBusOptions,
): Promise<RevocationBus> {
  const bus = new RedisRevocationBus(options)
  await bus.start()
  return bus
}

class RedisRevocationBus implements RevocationBus {
  readonly #options: RedisRevocationBusOptions
  readonly #channel: string
  readonly #signals: BusSignals
  #heartbeatTimer: NodeJS.Timeout | undefined
  /** A PING is out and unanswered. */
  #pinging = false
  #closed = false

  constructor(options: RedisRevocationBusOptions) {
    this.#options = options
    this.#channel = options.channel ?? 'tessera_revocations'
    this.#signals = new BusSignals(false, options.onError)
  }

  get connected(): boolean {
    return this.#signals.connected
  }

  async start(): Promise<void> {
    const { subscriber } = this.#options
    subscriber.on('message', (channel, message) => {
      if (channel !== this.#channel || this.#closed) return
      const event = parseRevocationEvent(message)
      if (event === undefined) this.#signals.error(new Error('malformed revocation payload'))
      else this.#signals.deliver(event)
    })
    subscriber.on('close', () => this.#signals.setConnected(false))
    subscriber.on('end', () => this.#signals.setConnected(false))
    subscriber.on('error', (error) => this.#signals.error(error))
    // After a reconnect: subscribe again (ioredis may too; subscribing twice is harmless), and
    // only then report up, so no event published after `up` can be missed.
    subscriber.on('ready', () => {
      this.#pinging = false
      this.#subscribe().catch((error: unknown) => this.#signals.error(error))
    })
    await this.#subscribe()
    this.#startHeartbeat()
  }

  async publish(event: RevocationEvent): Promise<void> {
    if (this.#closed) throw new Error('revocation bus is closed')
    await this.#options.publisher.publish(this.#channel, serializeRevocationEvent(event))
  }

  subscribe(handler: RevocationEventHandler): void {
    this.#signals.subscribe(handler)
  }

  on(status: RevocationBusStatus, listener: () => void): void {
    this.#signals.on(status, listener)
  }

  async close(): Promise<void> {
    this.#closed = true
    clearInterval(this.#heartbeatTimer)
    this.#signals.setConnected(false)
    if (this.#options.subscriber.status === 'ready') {
      await this.#options.subscriber.unsubscribe(this.#channel).catch(() => undefined)
    }
  }

  async #subscribe(): Promise<void> {
    if (this.#closed) return
    await this.#options.subscriber.subscribe(this.#channel)
    if (!this.#closed && this.#options.subscriber.status === 'ready') {
      this.#signals.setConnected(true)
    }
  }

  #startHeartbeat(): void {
    const seconds = this.#options.heartbeatSeconds ?? 1
    if (seconds <= 0) return
    const { subscriber } = this.#options
    this.#heartbeatTimer = setInterval(() => {
      if (subscriber.status !== 'ready') return
      if (this.#pinging) {
        this.#pinging = false
        this.#signals.error(new Error('Redis subscriber did not answer the heartbeat'))
        this.#signals.setConnected(false)
        subscriber.disconnect(true)
        return
      }
      this.#pinging = true
      subscriber.ping().then(
        () => {
          this.#pinging = false
        },
        (error: unknown) => {
          // A closed connection rejects its PING; `close` has already reported down.
          this.#pinging = false
          this.#signals.error(error)
        },
      )
    }, seconds * 1000)
    this.#heartbeatTimer.unref()
  }
}
