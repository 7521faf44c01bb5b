import type { AuditEvent, NewOutboxMessage, Stores } from '@tessera/core'
import { type MailMessage, type MailTransport, OutboxSender } from '@tessera/core/mail'
import { createMemoryStores } from '@tessera/core/memory'
import { beforeEach, describe, expect, it } from 'vitest'

const NOW = 1_800_000_000

/** A transport that refuses while `down` (as a closed SMTP port does), recording what it sent. */
class RecordingTransport implements MailTransport {
  readonly sent: MailMessage[] = []
  down: { code?: string; responseCode?: number } | undefined
  closed = false
  async send(message: MailMessage): Promise<void> {
    if (this.down) throw Object.assign(new Error(`refused ${message.text}`), this.down)
    this.sent.push(message)
  }
  close(): void {
    this.closed = true
  }
}

/** Timers the test fires by hand. */
class ManualScheduler {
  readonly pending = new Map<number, () => void>()
  #next = 0
  setTimeout(callback: () => void): unknown {
    this.#next += 1
    this.pending.set(this.#next, callback)
    return this.#next
  }
  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number)
  }
  /** Runs the timers due now, as the event loop would. */
  fire(): void {
    const due = [...this.pending.values()]
    this.pending.clear()
    for (const callback of due) callback()
  }
}

function message(index: number): NewOutboxMessage {
  return {
    kind: 'password_reset',
    from: 'noreply@example.com',
    to: `u${index}@example.com`,
    subject: 'Reset',
    text: `link-${index}`,
    html: null,
    createdAt: NOW,
    userId: String(index),
  }
}

describe('OutboxSender', () => {
  let stores: Stores
  let transport: RecordingTransport
  let now: number
  let events: AuditEvent[]
  const sender = (options: Partial<ConstructorParameters<typeof OutboxSender>[0]> = {}) =>
    new OutboxSender({
      outbox: stores.mail,
      transport,
      clock: () => now,
      audit: async (event) => {
        events.push(event)
      },
      ...options,
    })

  beforeEach(() => {
    stores = createMemoryStores()
    transport = new RecordingTransport()
    now = NOW
    events = []
  })

  it('delivers due messages, marks them sent and audits each', async () => {
    for (let index = 1; index <= 25; index += 1) await stores.mail.enqueue(message(index))
    expect(await sender({ batchSize: 10 }).drain()).toBe(25)
    expect(transport.sent.map((m) => m.text)).toEqual(
      Array.from({ length: 25 }, (_, i) => `link-${i + 1}`),
    )
    expect(await stores.mail.list({ limit: 100, status: 'sent' })).toHaveLength(25)
    expect(events.filter((e) => e.type === 'mail_sent')).toHaveLength(25)
    expect(events[0]).toMatchObject({ userId: '1', data: { kind: 'password_reset' } })
  })

  it('retries with exponential backoff while SMTP is down, then delivers', async () => {
    const { id } = await stores.mail.enqueue(message(1))
    const mail = sender()
    transport.down = { code: 'ECONNREFUSED' }
    expect(await mail.drain()).toBe(0)
    let [row] = await stores.mail.list({ limit: 1 })
    expect(row).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: NOW + 30 })
    expect(row?.lastError).toBe('ECONNREFUSED')
    now = NOW + 29
    expect(await mail.drain()).toBe(0)
    expect((await stores.mail.list({ limit: 1 }))[0]?.attempts).toBe(1)
    now = NOW + 30
    await mail.drain()
    ;[row] = await stores.mail.list({ limit: 1 })
    expect(row).toMatchObject({ attempts: 2, nextAttemptAt: NOW + 30 + 60 })
    expect([1, 2, 3, 8, 20].map((n) => mail.retryDelayAfter(n))).toEqual([30, 60, 120, 3600, 3600])
    transport.down = undefined
    now = NOW + 90
    expect(await mail.drain()).toBe(1)
    expect((await stores.mail.list({ limit: 1 }))[0]).toMatchObject({ id, status: 'sent' })
    const failure = events.find((e) => e.type === 'mail_failed')
    expect(failure?.data).toMatchObject({ error: 'ECONNREFUSED', final: false })
    // The failure reason never carries the message (which holds the link).
    expect(JSON.stringify(events)).not.toContain('link-1')
  })

  it('gives up after maxAttempts, keeping the message listed as failed', async () => {
    await stores.mail.enqueue(message(1))
    const mail = sender({ maxAttempts: 3 })
    transport.down = { code: 'ETIMEDOUT' }
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await mail.drain()
      now += 10_000
    }
    const [row] = await stores.mail.list({ limit: 1 })
    expect(row).toMatchObject({ status: 'failed', attempts: 3, lastError: 'ETIMEDOUT' })
    expect(events.filter((e) => e.type === 'mail_failed').at(-1)?.data).toMatchObject({
      final: true,
    })
  })

  it('fails at once on a permanent SMTP refusal (5xx); a retry() puts it back', async () => {
    const { id } = await stores.mail.enqueue(message(1))
    transport.down = { responseCode: 550 }
    await sender().drain()
    expect((await stores.mail.list({ limit: 1 }))[0]).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: 'SMTP 550',
    })
    transport.down = undefined
    expect(await stores.mail.retry(id, now)).toBe(true)
    expect(await sender().drain()).toBe(1)
  })

  it('polls on its scheduler, wakes on demand, and stops cleanly', async () => {
    const scheduler = new ManualScheduler()
    const mail = sender({ scheduler, pollSeconds: 5 })
    mail.start()
    await mail.idle()
    expect(scheduler.pending.size).toBe(1)
    await stores.mail.enqueue(message(1))
    scheduler.fire()
    await mail.idle()
    expect(transport.sent).toHaveLength(1)
    expect(scheduler.pending.size).toBe(1)
    await stores.mail.enqueue(message(2))
    mail.wake()
    await mail.idle()
    expect(transport.sent).toHaveLength(2)
    await mail.stop()
    expect(scheduler.pending.size).toBe(0)
    expect(transport.closed).toBe(true)
  })

  it('delivers each message once with 20 senders draining at the same time', async () => {
    for (let index = 1; index <= 40; index += 1) await stores.mail.enqueue(message(index))
    const senders = Array.from({ length: 20 }, () => sender({ batchSize: 3 }))
    const counts = await Promise.all(senders.map((s) => s.drain()))
    expect(counts.reduce((a, b) => a + b, 0)).toBe(40)
    expect(new Set(transport.sent.map((m) => m.to)).size).toBe(40)
    expect(transport.sent).toHaveLength(40)
  })
})
