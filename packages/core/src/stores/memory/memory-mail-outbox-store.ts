import {
  checkOutboxText,
  checkOutboxTimes,
  MAX_OUTBOX_ERROR_LENGTH,
  type MailOutboxStore,
  type NewOutboxMessage,
  type OutboxFailure,
  type OutboxMessage,
  type OutboxStatus,
} from '../mail-outbox-store.js'
import { checkDecimalId, checkLimit, isDecimalId } from '../store-input.js'
import { checkPageWindow, type PageWindow, pageOf } from '../store-page.js'
import type { MemoryState } from './memory-state.js'

/** The mail outbox held in `state`; each call runs within one tick, so each claim is atomic. */
export function createMemoryMailOutboxStore(state: MemoryState): MailOutboxStore {
  const outbox = state.mailOutbox
  const update = (id: string, change: Partial<OutboxMessage>): OutboxMessage | undefined => {
    const current = outbox.get(id)
    if (current === undefined) return undefined
    const next = { ...current, ...change }
    outbox.set(id, next)
    return next
  }
  return {
    async enqueue(message: NewOutboxMessage) {
      checkOutboxText(message)
      checkOutboxTimes(message.createdAt)
      state.sequences.mail += 1
      const stored: OutboxMessage = {
        ...message,
        id: String(state.sequences.mail),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: message.createdAt,
        sentAt: null,
        lastError: null,
      }
      outbox.set(stored.id, stored)
      return { ...stored }
    },

    async claimDue(now: number, limit: number, leaseSeconds: number) {
      checkLimit(limit)
      checkOutboxTimes(now, leaseSeconds)
      const due = [...outbox.values()]
        .filter((message) => message.status === 'pending' && message.nextAttemptAt <= now)
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || Number(a.id) - Number(b.id))
        .slice(0, limit)
      return due.map(
        (message) =>
          ({
            ...update(message.id, {
              attempts: message.attempts + 1,
              nextAttemptAt: now + leaseSeconds,
            }),
          }) as OutboxMessage,
      )
    },

    async markSent(id: string, at: number) {
      checkDecimalId(id, 'id')
      checkOutboxTimes(at)
      if (outbox.get(id)?.status !== 'pending') return false
      update(id, { status: 'sent', sentAt: at, text: '', html: null, lastError: null })
      return true
    },

    async markFailed(id: string, failure: OutboxFailure) {
      checkDecimalId(id, 'id')
      checkOutboxTimes(failure.at, ...(failure.retryAt === null ? [] : [failure.retryAt]))
      if (outbox.get(id)?.status !== 'pending') return false
      update(id, {
        status: failure.retryAt === null ? 'failed' : 'pending',
        nextAttemptAt: failure.retryAt ?? failure.at,
        lastError: failure.error.slice(0, MAX_OUTBOX_ERROR_LENGTH),
      })
      return true
    },

    async retry(id: string, now: number) {
      checkDecimalId(id, 'id')
      checkOutboxTimes(now)
      const status = outbox.get(id)?.status
      if (status === undefined || status === 'sent') return false
      update(id, { status: 'pending', nextAttemptAt: now })
      return true
    },

    async list({ limit, status }: { limit: number; status?: OutboxStatus }) {
      checkLimit(limit)
      const found: OutboxMessage[] = []
      for (const message of [...outbox.values()].reverse()) {
        if (found.length >= limit) break
        if (status === undefined || message.status === status) found.push({ ...message })
      }
      return found
    },

    async listPage(query: PageWindow & { readonly status?: OutboxStatus }) {
      checkPageWindow(query)
      const matching = [...outbox.values()]
        .reverse()
        .filter((message) => query.status === undefined || message.status === query.status)
      const page = pageOf(matching, query)
      return { count: page.count, items: page.items.map((message) => ({ ...message })) }
    },

    async findMessage(id: string) {
      const message = isDecimalId(id) ? outbox.get(id) : undefined
      return message && { ...message }
    },

    async deleteSentBefore(before: number) {
      checkOutboxTimes(before)
      let deleted = 0
      for (const message of [...outbox.values()]) {
        if (message.status === 'sent' && (message.sentAt ?? before) < before) {
          outbox.delete(message.id)
          deleted += 1
        }
      }
      return deleted
    },
  }
}
