import { checkText } from './store-input.js'
import type { PageWindow, StorePage } from './store-page.js'

/** Where a message of the outbox is in its life. */
export type OutboxStatus = 'pending' | 'sent' | 'failed'

/** A message as the services write it into the outbox. */
export interface NewOutboxMessage {
  /** The template it was rendered from (`password_reset`, `activation`...): for listings. */
  readonly kind: string
  readonly from: string
  readonly to: string
  readonly subject: string
  readonly text: string
  /** The HTML alternative, or null for plain text only. */
  readonly html: string | null
  /** Epoch seconds; the message is due at once. */
  readonly createdAt: number
  /** The user the message is about, for the audit log; null when none. */
  readonly userId: string | null
}

/** A message of the outbox. */
export interface OutboxMessage extends Omit<NewOutboxMessage, 'text' | 'html'> {
  /** Decimal string of the integer key, in insertion order. */
  readonly id: string
  readonly status: OutboxStatus
  /** Delivery attempts started so far (claims). */
  readonly attempts: number
  /** Epoch seconds from which a sender may claim it (again). */
  readonly nextAttemptAt: number
  /** Epoch seconds of the delivery, or null. */
  readonly sentAt: number | null
  /** The last failure, short and free of secrets (`ECONNREFUSED`, `550 mailbox unavailable`). */
  readonly lastError: string | null
  /**
   * The body, until the message is sent: then it is erased (a reset link is a live credential
   * that the database must not keep).
   */
  readonly text: string
  readonly html: string | null
}

/** How a failed attempt ends: retried from `retryAt`, or given up (`null`). */
export interface OutboxFailure {
  readonly at: number
  readonly error: string
  readonly retryAt: number | null
}

/**
 * The mail outbox: requests write messages and answer; a sender claims due messages, delivers
 * them and marks each sent or failed. Atomicity: `claimDue` takes each message with one
 * conditional write (`status = 'pending' AND next_attempt_at <= now`), so of N concurrent
 * senders exactly one claims a given message; the claim moves `nextAttemptAt` to the lease's
 * end, so a sender that dies mid-delivery leaves the message to be claimed again (at least
 * once, never silently dropped). Texts with U+0000 or a lone surrogate are refused with a
 * `StoreInputError`, as for users.
 */
export interface MailOutboxStore {
  /** Inserts a pending message, due at `createdAt`. */
  enqueue(message: NewOutboxMessage): Promise<OutboxMessage>
  /**
   * Claims up to `limit` pending messages due at `now`, oldest due first: each claimed one gets
   * `attempts + 1` and `nextAttemptAt = now + leaseSeconds`.
   */
  claimDue(now: number, limit: number, leaseSeconds: number): Promise<OutboxMessage[]>
  /** Marks a claimed message sent and erases its body; false when it was not pending. */
  markSent(id: string, at: number): Promise<boolean>
  /** Records a failed attempt: pending again from `retryAt`, or `failed` when it is null. */
  markFailed(id: string, failure: OutboxFailure): Promise<boolean>
  /** Puts a failed (or pending) message back in the queue, due at `now`; false if none or sent. */
  retry(id: string, now: number): Promise<boolean>
  /** Newest first, at most `limit`, optionally of one status. RangeError for a bad limit. */
  list(options: { limit: number; status?: OutboxStatus }): Promise<OutboxMessage[]>
  /** Newest first, one window, optionally of one status, and how many match. */
  listPage(
    query: PageWindow & { readonly status?: OutboxStatus },
  ): Promise<StorePage<OutboxMessage>>
  /** One message, or undefined (a malformed id finds none). */
  findMessage(id: string): Promise<OutboxMessage | undefined>
  /** Deletes sent messages delivered before `before`; returns how many. */
  deleteSentBefore(before: number): Promise<number>
}

/** Throws a `StoreInputError` unless every text of `message` is storable. */
export function checkOutboxText(message: NewOutboxMessage): void {
  for (const field of ['kind', 'from', 'to', 'subject', 'text'] as const) {
    checkText(message[field], `message.${field}`)
  }
  checkText(message.html, 'message.html')
  checkText(message.userId, 'message.userId')
}

/** The length a stored error is cut to. */
export const MAX_OUTBOX_ERROR_LENGTH = 200

/** Throws a RangeError unless every value is a finite number of epoch seconds. */
export function checkOutboxTimes(...times: number[]): void {
  if (!times.every((time) => typeof time === 'number' && Number.isFinite(time))) {
    throw new RangeError('times must be finite epoch seconds')
  }
}
