import {
  BusSignals,
  nextBackoff,
  type RevocationBus,
  type RevocationBusStatus,
} from '../revocation-bus.js'
import {
  parseRevocationEvent,
  type RevocationEvent,
  type RevocationEventHandler,
  serializeRevocationEvent,
} from '../revocation-event.js'

/** The subset of pg's `Pool` (or `Client`) used to publish: `query(text, values)`. */
export interface PostgresNotifyPool {
  query(text: string, values: unknown[]): Promise<unknown>
}

/** A NOTIFY as pg delivers it. */
export interface PostgresNotification {
  readonly channel: string
  readonly payload?: string | undefined
}

/**
 * The subset of a connected pg `Client` the bus listens on. A dedicated connection: LISTEN is
 * per session, so it cannot come from a pool.
 */
export interface PostgresListenClient {
  query(text: string): Promise<unknown>
  on(event: 'notification', listener: (message: PostgresNotification) => void): unknown
  on(event: 'error', listener: (error: Error) => void): unknown
  on(event: 'end', listener: () => void): unknown
  end(): Promise<void>
}

/** Options of {@link createPostgresRevocationBus}. Durations in seconds. */
export interface PostgresRevocationBusOptions {
  /** Publishes with `select pg_notify($1, $2)`; the bus borrows it and never ends it. */
  readonly pool: PostgresNotifyPool
  /**
   * Opens and connects a new client for LISTEN, called again after every loss, e.g.
   * `async () => { const c = new pg.Client(url); await c.connect(); return c }`. The bus ends
   * the clients it opened.
   */
  readonly connect: () => Promise<PostgresListenClient>
  /** Default `tessera_revocations`; a plain identifier. */
  readonly channel?: string
  /** First wait before reconnecting (default 0.1), doubled per failure up to `maxBackoffSeconds` (default 5). */
  readonly minBackoffSeconds?: number
  readonly maxBackoffSeconds?: number
  /**
   * A `select 1` on the LISTEN connection every this many seconds (default 1; 0: off); no answer
   * within the same time counts as a loss. Bounds how long a silent network failure goes
   * unnoticed (about two intervals), which the view's fail-closed bound adds to its grace.
   */
  readonly heartbeatSeconds?: number
  /** Reports connection errors and malformed payloads; default: ignore. */
  readonly onError?: (error: unknown) => void
}

const CHANNEL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/

/**
 * Connects a PostgreSQL LISTEN/NOTIFY revocation bus; resolves once it listens (rejects if the
 * first connection fails, so a wrong URL shows at start). Later losses are reported as `down`
 * and retried with exponential backoff; `up` follows once LISTEN is back.
 *
 * NOTIFY is transactional and delivered to sessions listening at commit; anything sent while a
 * process was not listening is lost, hence `down`/`up` and the catch-up from the store.
 *
 * @example
 * const bus = await createPostgresRevocationBus({
 *   pool,
 *   connect: async () => { const c = new pg.Client({ connectionString }); await c.connect(); return c },
 * })
 */
export async function createPostgresRevocationBus(
  options: PostgresRevocationBusOptions,
): Promise<RevocationBus> {
  const bus = new PostgresRevocationBus(options)
  await bus.start()
  return bus
}

class PostgresRevocationBus implements RevocationBus {
  readonly #options: PostgresRevocationBusOptions
  readonly #channel: string
  readonly #signals: BusSignals
  readonly #minBackoff: number
  readonly #maxBackoff: number
  readonly #heartbeat: number
  #client: PostgresListenClient | undefined
  #heartbeatTimer: NodeJS.Timeout | undefined
  #reconnectTimer: NodeJS.Timeout | undefined
  #backoff = 0
  #closed = false

  constructor(options: PostgresRevocationBusOptions) {
    const channel = options.channel ?? 'tessera_revocations'
    if (!CHANNEL_NAME.test(channel)) {
      throw new TypeError('channel must be a plain identifier (letters, digits, underscores)')
    }
    this.#options = options
    this.#channel = channel
    this.#signals = new BusSignals(false, options.onError)
    this.#minBackoff = options.minBackoffSeconds ?? 0.1
    this.#maxBackoff = options.maxBackoffSeconds ?? 5
    this.#heartbeat = options.heartbeatSeconds ?? 1
  }

  get connected(): boolean {
    return this.#signals.connected
  }

  async start(): Promise<void> {
    await this.#listen()
  }

  async publish(event: RevocationEvent): Promise<void> {
    if (this.#closed) throw new Error('revocation bus is closed')
    await this.#options.pool.query('select pg_notify($1, $2)', [
      this.#channel,
      serializeRevocationEvent(event),
    ])
  }

  subscribe(handler: RevocationEventHandler): void {
    this.#signals.subscribe(handler)
  }

  on(status: RevocationBusStatus, listener: () => void): void {
    this.#signals.on(status, listener)
  }

  async close(): Promise<void> {
    this.#closed = true
    clearTimeout(this.#reconnectTimer)
    clearInterval(this.#heartbeatTimer)
    const client = this.#client
    this.#client = undefined
    this.#signals.setConnected(false)
    await client?.end().catch(() => undefined)
  }

  /** Opens a client, LISTENs, and reports up; throws (after cleaning up) when it cannot. */
  async #listen(): Promise<void> {
    const client = await this.#options.connect()
    let lost = false
    const onLost = (error?: Error) => {
      if (error !== undefined) this.#signals.error(error)
      if (lost) return
      lost = true
      this.#lose(client)
    }
    client.on('error', onLost)
    client.on('end', () => onLost())
    client.on('notification', (message) => {
      if (message.channel !== this.#channel || this.#client !== client) return
      const event = parseRevocationEvent(message.payload ?? '')
      if (event === undefined) this.#signals.error(new Error('malformed revocation payload'))
      else this.#signals.deliver(event)
    })
    try {
      await client.query(`listen "${this.#channel}"`)
    } catch (error) {
      lost = true
      await client.end().catch(() => undefined)
      throw error
    }
    if (this.#closed || lost) {
      await client.end().catch(() => undefined)
      if (lost && !this.#closed) throw new Error('LISTEN connection lost while starting')
      return
    }
    this.#client = client
    this.#backoff = 0
    this.#startHeartbeat(client, onLost)
    this.#signals.setConnected(true)
  }

  #startHeartbeat(client: PostgresListenClient, onLost: (error?: Error) => void): void {
    if (this.#heartbeat <= 0) return
    const ms = this.#heartbeat * 1000
    let pending = false
    this.#heartbeatTimer = setInterval(() => {
      if (pending) {
        onLost(new Error('LISTEN connection did not answer the heartbeat'))
        return
      }
      pending = true
      client.query('select 1').then(
        () => {
          pending = false
        },
        (error: unknown) => onLost(error instanceof Error ? error : new Error(String(error))),
      )
    }, ms)
    this.#heartbeatTimer.unref()
  }

  #lose(client: PostgresListenClient): void {
    if (this.#client !== client) return
    this.#client = undefined
    clearInterval(this.#heartbeatTimer)
    this.#signals.setConnected(false)
    client.end().catch(() => undefined)
    this.#scheduleReconnect()
  }

  #scheduleReconnect(): void {
    if (this.#closed) return
    this.#backoff = nextBackoff(this.#backoff, this.#minBackoff, this.#maxBackoff)
    this.#reconnectTimer = setTimeout(() => {
      this.#listen().catch((error: unknown) => {
        this.#signals.error(error)
        this.#scheduleReconnect()
      })
    }, this.#backoff * 1000)
    this.#reconnectTimer.unref()
  }
}
