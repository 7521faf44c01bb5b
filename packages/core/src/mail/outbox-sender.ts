import { getSystemErrorName } from 'node:util'
import type { AuditEvent } from '../stores/audit-store.js'
import type { MailOutboxStore, OutboxMessage } from '../stores/mail-outbox-store.js'
import { type Clock, systemClock } from '../tokens/token-types.js'
import type { MailTransport } from './mail-transport.js'

/** Timers, injectable so that tests drive the sender without waiting. */
export interface SenderScheduler {
  setTimeout(callback: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
}

const systemScheduler: SenderScheduler = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms)
    // The sender never keeps a process alive on its own.
    handle.unref()
    return handle
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
}

/** Options of {@link OutboxSender}. */
export interface OutboxSenderOptions {
  readonly outbox: MailOutboxStore
  readonly transport: MailTransport
  /** Epoch-seconds clock. Default: the system's. */
  readonly clock?: Clock
  readonly scheduler?: SenderScheduler
  /** Writes `mail_sent`/`mail_failed` audit events; failures of it are ignored. */
  readonly audit?: (event: AuditEvent) => Promise<void>
  /** Seconds between two looks at the outbox when idle. Default 5. */
  readonly pollSeconds?: number
  /** Delivery attempts before a message is marked failed. Default 10 (about 8.5 hours). */
  readonly maxAttempts?: number
  /** Seconds before the first retry; each next one doubles, up to `maxRetryDelay`. Default 30. */
  readonly retryDelay?: number
  /** Longest wait between two attempts, in seconds. Default 3600. */
  readonly maxRetryDelay?: number
  /** Seconds a claimed message is reserved for its sender (then another may take it). Default 300. */
  readonly leaseSeconds?: number
  /** Messages claimed per look. Default 20. */
  readonly batchSize?: number
  /** Told about failures of the outbox itself (the store down), never with a message body. */
  readonly onError?: (error: unknown) => void
}

/**
 * Delivers the mail outbox: claims due messages (one sender per message, across processes),
 * sends each through the transport, marks it sent, or records the failure and when to try again
 * (exponential backoff); after `maxAttempts`, or at once on a permanent SMTP refusal (5xx), the
 * message is marked `failed` and stays listed (`tessera mail outbox`) until retried: a message
 * is never silently dropped. Each outcome is an audit event.
 *
 * @example
 * const sender = new OutboxSender({ outbox: stores.mail, transport })
 * sender.start()
 * // after a request enqueued a message:
 * sender.wake()
 */
export class OutboxSender {
  readonly #outbox: MailOutboxStore
  readonly #transport: MailTransport
  readonly #clock: Clock
  readonly #scheduler: SenderScheduler
  readonly #audit: ((event: AuditEvent) => Promise<void>) | undefined
  readonly #onError: (error: unknown) => void
  readonly #pollMs: number
  readonly #maxAttempts: number
  readonly #retryDelay: number
  readonly #maxRetryDelay: number
  readonly #leaseSeconds: number
  readonly #batchSize: number
  #timer: unknown
  #running = false
  #draining: Promise<number> | undefined
  #again = false
  #cycle: Promise<void> | undefined

  constructor(options: OutboxSenderOptions) {
    this.#outbox = options.outbox
    this.#transport = options.transport
    this.#clock = options.clock ?? systemClock
    this.#scheduler = options.scheduler ?? systemScheduler
    this.#audit = options.audit
    this.#onError = options.onError ?? (() => {})
    this.#pollMs = (options.pollSeconds ?? 5) * 1000
    this.#maxAttempts = options.maxAttempts ?? 10
    this.#retryDelay = options.retryDelay ?? 30
    this.#maxRetryDelay = options.maxRetryDelay ?? 3600
    this.#leaseSeconds = options.leaseSeconds ?? 300
    this.#batchSize = options.batchSize ?? 20
    if (!Number.isSafeInteger(this.#maxAttempts) || this.#maxAttempts < 1) {
      throw new TypeError('OutboxSender: maxAttempts must be a positive integer')
    }
  }

  /** Seconds to wait after the `attempt`-th failed attempt (1-based): 30, 60, 120... capped. */
  retryDelayAfter(attempt: number): number {
    return Math.min(this.#retryDelay * 2 ** (attempt - 1), this.#maxRetryDelay)
  }

  /** Starts polling the outbox (and delivers what is due now). */
  start(): void {
    if (this.#running) return
    this.#running = true
    this.wake()
  }

  /** Delivers due messages now rather than at the next poll (a request just enqueued one). */
  wake(): void {
    if (!this.#running) return
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer)
    this.#timer = undefined
    this.#cycle = this.drain()
      .then(
        () => undefined,
        (error: unknown) => this.#onError(error),
      )
      .finally(() => this.#schedule())
  }

  /** Resolves once the delivery run started by the last {@link wake} (or start) is over. */
  async idle(): Promise<void> {
    await this.#cycle
  }

  /** Stops polling, waits for a delivery in progress, and closes the transport. */
  async stop(): Promise<void> {
    this.#running = false
    if (this.#timer !== undefined) this.#scheduler.clearTimeout(this.#timer)
    this.#timer = undefined
    await this.#draining?.catch(() => 0)
    await this.#transport.close?.()
  }

  /**
   * Delivers every message due now, batch after batch, and resolves with how many were sent.
   * Concurrent calls share one run (a call during a run makes it look once more).
   */
  drain(): Promise<number> {
    if (this.#draining !== undefined) {
      this.#again = true
      return this.#draining
    }
    const run = async (): Promise<number> => {
      let sent = 0
      do {
        this.#again = false
        for (;;) {
          const batch = await this.#outbox.claimDue(
            this.#clock(),
            this.#batchSize,
            this.#leaseSeconds,
          )
          for (const message of batch) if (await this.#deliver(message)) sent += 1
          if (batch.length < this.#batchSize) break
        }
      } while (this.#again)
      return sent
    }
    this.#draining = run().finally(() => {
      this.#draining = undefined
    })
    return this.#draining
  }

  #schedule(): void {
    if (!this.#running || this.#timer !== undefined) return
    this.#timer = this.#scheduler.setTimeout(() => {
      this.#timer = undefined
      this.wake()
    }, this.#pollMs)
  }

  async #deliver(message: OutboxMessage): Promise<boolean> {
    try {
      await this.#transport.send(message)
    } catch (error) {
      await this.#failed(message, error)
      return false
    }
    const at = this.#clock()
    await this.#outbox.markSent(message.id, at)
    await this.#record(message, 'mail_sent', {})
    return true
  }

  async #failed(message: OutboxMessage, error: unknown): Promise<void> {
    const reason = describeMailError(error)
    const permanent = isPermanentMailError(error)
    const at = this.#clock()
    const retryAt =
      permanent || message.attempts >= this.#maxAttempts
        ? null
        : at + this.retryDelayAfter(message.attempts)
    await this.#outbox.markFailed(message.id, { at, error: reason, retryAt })
    await this.#record(message, 'mail_failed', {
      error: reason,
      retry_at: retryAt,
      final: retryAt === null,
    })
  }

  async #record(
    message: OutboxMessage,
    type: 'mail_sent' | 'mail_failed',
    data: Record<string, string | number | boolean | null>,
  ): Promise<void> {
    try {
      await this.#audit?.({
        type,
        at: this.#clock(),
        userId: message.userId,
        ip: null,
        data: { message: message.id, kind: message.kind, attempts: message.attempts, ...data },
      })
    } catch {
      // The audit log is best-effort; the outbox row already says what happened.
    }
  }
}

/** An SMTP refusal of the message itself (5xx): permanent, as RFC 5321 4.2.1 says. */
export function isPermanentMailError(error: unknown): boolean {
  const code = Reflect.get(Object(error), 'responseCode')
  return typeof code === 'number' && code >= 500 && code < 600
}

/**
 * A short reason for the outbox row and the audit log: the error's code and SMTP response code,
 * never its whole message (some transports quote the message they failed to send).
 */
export function describeMailError(error: unknown): string {
  const code = Reflect.get(Object(error), 'code')
  const errno = Reflect.get(Object(error), 'errno')
  const responseCode = Reflect.get(Object(error), 'responseCode')
  // nodemailer wraps a refused connection as ESOCKET; the system's name says which failure.
  const system = Number.isInteger(errno) && errno < 0 ? systemErrorName(errno) : undefined
  const parts = [
    typeof code === 'string' ? code : undefined,
    system !== code ? system : undefined,
    typeof responseCode === 'number' ? `SMTP ${responseCode}` : undefined,
  ].filter((part) => part !== undefined)
  if (parts.length > 0) return parts.join(' ')
  return error instanceof Error ? error.name : 'delivery failed'
}

function systemErrorName(errno: number): string | undefined {
  try {
    return getSystemErrorName(errno)
  } catch {
    return undefined
  }
}
