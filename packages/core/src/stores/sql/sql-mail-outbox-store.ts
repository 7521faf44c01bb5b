import type { Selectable } from 'kysely'
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
import { checkPageWindow, type PageWindow } from '../store-page.js'
import type { SqlContext } from './sql-context.js'
import type { MailOutboxTable } from './sql-database.js'
import { guard } from './sql-errors.js'

function toMessage(row: Selectable<MailOutboxTable>): OutboxMessage {
  return {
    id: String(row.id),
    kind: row.kind,
    from: row.from_address,
    to: row.to_address,
    subject: row.subject,
    text: row.body_text,
    html: row.body_html,
    userId: row.user_id,
    status: row.status as OutboxStatus,
    attempts: Number(row.attempts),
    createdAt: Number(row.created_at),
    nextAttemptAt: Number(row.next_attempt_at),
    sentAt: row.sent_at === null ? null : Number(row.sent_at),
    lastError: row.last_error,
  }
}

/** The mail outbox in SQL; claims are conditional UPDATEs, so one sender wins each message. */
export function createSqlMailOutboxStore(context: SqlContext): MailOutboxStore {
  const { db } = context
  return {
    async enqueue(message: NewOutboxMessage) {
      checkOutboxText(message)
      checkOutboxTimes(message.createdAt)
      return guard(async () => {
        const row = await db
          .insertInto('mail_outbox')
          .values({
            kind: message.kind,
            from_address: message.from,
            to_address: message.to,
            subject: message.subject,
            body_text: message.text,
            body_html: message.html,
            user_id: message.userId,
            status: 'pending',
            attempts: 0,
            created_at: message.createdAt,
            next_attempt_at: message.createdAt,
            sent_at: null,
            last_error: null,
          })
          .returningAll()
          .executeTakeFirstOrThrow()
        return toMessage(row)
      })
    },

    async claimDue(now: number, limit: number, leaseSeconds: number) {
      checkLimit(limit)
      checkOutboxTimes(now, leaseSeconds)
      if (limit === 0) return []
      return guard(() =>
        context.writeTransaction(async (trx) => {
          let query = trx
            .selectFrom('mail_outbox')
            .select('id')
            .where('status', '=', 'pending')
            .where('next_attempt_at', '<=', now)
            .orderBy('next_attempt_at')
            .orderBy('id')
            .limit(limit)
          // PostgreSQL: concurrent senders lock what they take and skip what others took, so
          // each gets the next messages instead of all racing for the first ones (SQLite's
          // BEGIN IMMEDIATE already runs the claims one after another).
          if (context.dialect === 'postgres') query = query.forUpdate().skipLocked()
          const candidates = await query.execute()
          const claimed: OutboxMessage[] = []
          for (const { id } of candidates) {
            // The WHERE is checked again under the row lock: a concurrent sender's claim wins.
            const row = await trx
              .updateTable('mail_outbox')
              .set((eb) => ({
                attempts: eb('attempts', '+', 1),
                next_attempt_at: now + leaseSeconds,
              }))
              .where('id', '=', id)
              .where('status', '=', 'pending')
              .where('next_attempt_at', '<=', now)
              .returningAll()
              .executeTakeFirst()
            if (row !== undefined) claimed.push(toMessage(row))
          }
          return claimed
        }),
      )
    },

    async markSent(id: string, at: number) {
      checkDecimalId(id, 'id')
      checkOutboxTimes(at)
      return guard(async () => {
        const result = await db
          .updateTable('mail_outbox')
          .set({ status: 'sent', sent_at: at, body_text: '', body_html: null, last_error: null })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async markFailed(id: string, failure: OutboxFailure) {
      checkDecimalId(id, 'id')
      checkOutboxTimes(failure.at, ...(failure.retryAt === null ? [] : [failure.retryAt]))
      return guard(async () => {
        const result = await db
          .updateTable('mail_outbox')
          .set({
            status: failure.retryAt === null ? 'failed' : 'pending',
            next_attempt_at: failure.retryAt ?? failure.at,
            last_error: failure.error.slice(0, MAX_OUTBOX_ERROR_LENGTH),
          })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async retry(id: string, now: number) {
      checkDecimalId(id, 'id')
      checkOutboxTimes(now)
      return guard(async () => {
        const result = await db
          .updateTable('mail_outbox')
          .set({ status: 'pending', next_attempt_at: now })
          .where('id', '=', id)
          .where('status', '!=', 'sent')
          .executeTakeFirst()
        return result.numUpdatedRows > 0n
      })
    },

    async list({ limit, status }: { limit: number; status?: OutboxStatus }) {
      checkLimit(limit)
      return guard(async () => {
        let query = db.selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(limit)
        if (status !== undefined) query = query.where('status', '=', status)
        return (await query.execute()).map(toMessage)
      })
    },

    async listPage(query: PageWindow & { readonly status?: OutboxStatus }) {
      checkPageWindow(query)
      return guard(async () => {
        let base = db.selectFrom('mail_outbox')
        if (query.status !== undefined) base = base.where('status', '=', query.status)
        const counted = await base
          .select((eb) => eb.fn.countAll<number | string>().as('count'))
          .executeTakeFirstOrThrow()
        const rows = await base
          .selectAll()
          .orderBy('id', 'desc')
          .limit(query.limit)
          .offset(query.offset)
          .execute()
        return { count: Number(counted.count), items: rows.map(toMessage) }
      })
    },

    async findMessage(id: string) {
      if (!isDecimalId(id)) return undefined
      return guard(async () => {
        const row = await db
          .selectFrom('mail_outbox')
          .selectAll()
          .where('id', '=', id)
          .executeTakeFirst()
        return row && toMessage(row)
      })
    },

    async deleteSentBefore(before: number) {
      checkOutboxTimes(before)
      return guard(async () => {
        const result = await db
          .deleteFrom('mail_outbox')
          .where('status', '=', 'sent')
          .where('sent_at', '<', before)
          .executeTakeFirst()
        return Number(result.numDeletedRows)
      })
    },
  }
}
