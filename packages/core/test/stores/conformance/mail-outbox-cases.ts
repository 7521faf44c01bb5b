import { type NewOutboxMessage, StoreInputError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW } from './fixtures.js'

function message(index: number, overrides: Partial<NewOutboxMessage> = {}): NewOutboxMessage {
  return {
    kind: 'password_reset',
    from: 'Tessera <noreply@example.com>',
    to: `user${index}@example.com`,
    subject: `Password reset on Example ${index}`,
    text: `https://app.example.com/#/password/reset/confirm/MQ/token-${index}`,
    html: `<p>reset ${index}</p>`,
    createdAt: NOW + index,
    userId: String(index),
    ...overrides,
  }
}

/** MailOutboxStore: enqueue, claim once under concurrency, sent erases the body, retries. */
export function describeMailOutboxStore(getStores: GetStores): void {
  describe('MailOutboxStore', () => {
    it('enqueues pending messages due at once, listed newest first', async () => {
      const { mail } = getStores()
      const first = await mail.enqueue(message(1))
      const second = await mail.enqueue(message(2, { html: null, userId: null }))
      expect(first).toEqual({
        ...message(1),
        id: first.id,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: NOW + 1,
        sentAt: null,
        lastError: null,
      })
      expect(BigInt(second.id) > BigInt(first.id)).toBe(true)
      expect((await mail.list({ limit: 10 })).map((m) => m.id)).toEqual([second.id, first.id])
      expect(await mail.list({ limit: 1 })).toHaveLength(1)
      expect(await mail.list({ limit: 10, status: 'sent' })).toEqual([])
      await expect(mail.list({ limit: -1 })).rejects.toThrow(RangeError)
    })

    it('claims due messages oldest first, each with a lease, not those due later', async () => {
      const { mail } = getStores()
      const late = await mail.enqueue(message(50))
      const early = await mail.enqueue(message(1))
      const claimed = await mail.claimDue(NOW + 10, 10, 60)
      expect(claimed.map((m) => m.id)).toEqual([early.id])
      expect(claimed[0]).toMatchObject({ attempts: 1, nextAttemptAt: NOW + 70, status: 'pending' })
      // Leased: not claimable again before the lease ends, claimable after (a dead sender).
      expect(await mail.claimDue(NOW + 20, 10, 60)).toEqual([])
      const again = await mail.claimDue(NOW + 71, 10, 60)
      // The late one was due at +50, the leased one again at +70.
      expect(again.map((m) => m.id)).toEqual([late.id, early.id])
      expect(again.map((m) => m.attempts)).toEqual([1, 2])
      expect(await mail.claimDue(NOW + 500, 0, 60)).toEqual([])
    })

    it('gives each message to exactly one of 20 concurrent claimers', async () => {
      const { mail } = getStores()
      const ids = []
      for (let index = 0; index < 15; index += 1) ids.push((await mail.enqueue(message(index))).id)
      const results = await Promise.all(
        Array.from({ length: 20 }, () => mail.claimDue(NOW + 100, 3, 60)),
      )
      const claimed = results.flat().map((m) => m.id)
      expect(claimed.sort()).toEqual([...ids].sort())
      expect(new Set(claimed).size).toBe(15)
    })

    it('marks a message sent once, erasing its body (a reset link is a credential)', async () => {
      const { mail } = getStores()
      const { id } = await mail.enqueue(message(1))
      await mail.claimDue(NOW + 5, 1, 60)
      expect(await mail.markSent(id, NOW + 6)).toBe(true)
      expect(await mail.markSent(id, NOW + 7)).toBe(false)
      const [sent] = await mail.list({ limit: 1, status: 'sent' })
      expect(sent).toMatchObject({ id, status: 'sent', sentAt: NOW + 6, text: '', html: null })
      expect(await mail.claimDue(NOW + 1000, 10, 60)).toEqual([])
      expect(await mail.retry(id, NOW + 8)).toBe(false)
      expect(await mail.deleteSentBefore(NOW + 6)).toBe(0)
      expect(await mail.deleteSentBefore(NOW + 6.5)).toBe(1)
      expect(await mail.list({ limit: 10 })).toEqual([])
    })

    it('retries a failure from its time, gives up on null, and retry() requeues it', async () => {
      const { mail } = getStores()
      const { id } = await mail.enqueue(message(1))
      await mail.claimDue(NOW + 1, 1, 60)
      const error = `ECONNREFUSED ${'x'.repeat(300)}`
      expect(await mail.markFailed(id, { at: NOW + 2, error, retryAt: NOW + 32 })).toBe(true)
      const [pending] = await mail.list({ limit: 1 })
      expect(pending).toMatchObject({ status: 'pending', nextAttemptAt: NOW + 32 })
      expect(pending?.lastError).toBe(error.slice(0, 200))
      expect(await mail.claimDue(NOW + 31, 5, 60)).toEqual([])
      expect(await mail.claimDue(NOW + 32, 5, 60)).toHaveLength(1)
      expect(await mail.markFailed(id, { at: NOW + 33, error: '550', retryAt: null })).toBe(true)
      const [failed] = await mail.list({ limit: 1, status: 'failed' })
      expect(failed).toMatchObject({ id, status: 'failed', attempts: 2, lastError: '550' })
      expect(await mail.markFailed(id, { at: NOW + 34, error: 'x', retryAt: null })).toBe(false)
      expect(await mail.claimDue(NOW + 10_000, 5, 60)).toEqual([])
      expect(await mail.retry(id, NOW + 40)).toBe(true)
      expect((await mail.claimDue(NOW + 40, 5, 60)).map((m) => m.id)).toEqual([id])
      expect(await mail.retry('999999', NOW)).toBe(false)
      await expect(mail.retry('01', NOW)).rejects.toThrow(RangeError)
    })

    it('refuses text it cannot store as given, naming the field only', async () => {
      const { mail } = getStores()
      const failure = await mail
        .enqueue(message(1, { subject: 'a\u0000secret' }))
        .catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(StoreInputError)
      expect((failure as Error).message).toContain('message.subject')
      expect((failure as Error).message).not.toContain('secret')
      expect(await mail.list({ limit: 5 })).toEqual([])
    })
  })
}
