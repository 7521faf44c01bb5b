import { EmailTakenError, type NewOutboxMessage, StoreInputError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newUser } from './fixtures.js'

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

  describe('UserStore.findUsersByEmail', () => {
    it('finds users by address case-insensitively, by id, and follows updates', async () => {
      const { users } = getStores()
      const a = await users.createUser(newUser('ann', { email: 'Ann.Smith@Example.COM' }))
      const b = await users.createUser(newUser('bob', { email: 'ann.smith@example.com' }))
      await users.createUser(newUser('eve', { email: 'eve@example.com' }))
      await users.createUser(newUser('nomail', { email: '' }))
      const found = await users.findUsersByEmail('ANN.smith@example.com')
      expect(found.map((u) => u.id)).toEqual([a.id, b.id])
      expect(await users.findUsersByEmail('Straße@example.com')).toEqual([])
      await users.updateUser(b.id, { email: 'Straße@Example.com' })
      expect((await users.findUsersByEmail('STRASSE@example.com')).map((u) => u.id)).toEqual([b.id])
      expect((await users.findUsersByEmail('ann.smith@example.com')).map((u) => u.id)).toEqual([
        a.id,
      ])
      expect(await users.findUsersByEmail('')).toEqual([])
      expect(await users.findUsersByEmail('a\u0000@example.com')).toEqual([])
    })
  })
}

/** UserStore.createUser with uniqueEmail: one account per address, under concurrency too. */
export function describeUniqueEmail(getStores: GetStores): void {
  describe('UserStore.createUser({ uniqueEmail })', () => {
    it('refuses an address another user has, in any case; allows it without the option', async () => {
      const { users } = getStores()
      await users.createUser(newUser('ann', { email: 'Ann@Example.com' }), { uniqueEmail: true })
      await expect(
        users.createUser(newUser('ann2', { email: 'ANN@example.COM' }), { uniqueEmail: true }),
      ).rejects.toBeInstanceOf(EmailTakenError)
      await users.createUser(newUser('ann3', { email: 'ann@example.com' }))
      await users.createUser(newUser('x1', { email: '' }), { uniqueEmail: true })
      await users.createUser(newUser('x2', { email: '' }), { uniqueEmail: true })
      expect(await users.findUsersByEmail('ann@example.com')).toHaveLength(2)
    })

    it('lets exactly one of 20 concurrent creations with one address through', async () => {
      const { users } = getStores()
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, (_, index) =>
          users.createUser(newUser(`racer${index}`, { email: 'race@example.com' }), {
            uniqueEmail: true,
          }),
        ),
      )
      const created = results.filter((result) => result.status === 'fulfilled')
      const refused = results.filter(
        (result) => result.status === 'rejected' && result.reason instanceof EmailTakenError,
      )
      expect([created.length, refused.length]).toEqual([1, 19])
      expect(await users.findUsersByEmail('RACE@example.com')).toHaveLength(1)
    })
  })
}

/** UserStore.updateUserIf: a compare-and-set of the user's state, exactly one winner. */
export function describeUpdateUserIf(getStores: GetStores): void {
  describe('UserStore.updateUserIf', () => {
    it('applies the patch only while every expected field holds, nulls included', async () => {
      const { users } = getStores()
      const user = await users.createUser(newUser('ann', { lastLogin: null }))
      const stale = await users.updateUserIf(
        user.id,
        { password: 'argon2$other', lastLogin: null },
        { firstName: 'X' },
      )
      expect(stale).toBeUndefined()
      const updated = await users.updateUserIf(
        user.id,
        { password: user.password, lastLogin: null, isActive: true, email: user.email },
        { password: 'argon2$new', lastLogin: NOW },
      )
      expect(updated).toMatchObject({ password: 'argon2$new', lastLogin: NOW })
      expect(
        await users.updateUserIf(user.id, { lastLogin: null }, { firstName: 'Y' }),
      ).toBeUndefined()
      expect(
        await users.updateUserIf(user.id, { lastLogin: NOW }, { firstName: 'Y' }),
      ).toMatchObject({ firstName: 'Y' })
      expect(await users.updateUserIf('999', {}, { firstName: 'Z' })).toBeUndefined()
      expect(await users.updateUserIf('01', {}, { firstName: 'Z' })).toBeUndefined()
    })

    it('lets exactly one of 20 concurrent updates expecting one state through', async () => {
      const { users } = getStores()
      const user = await users.createUser(newUser('bob'))
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, index) =>
          users.updateUserIf(
            user.id,
            { password: user.password, lastLogin: user.lastLogin },
            { password: `argon2$racer${index}`, lastLogin: NOW + index },
          ),
        ),
      )
      const winners = results.filter((result) => result !== undefined)
      expect(winners).toHaveLength(1)
      expect((await users.findUserById(user.id))?.password).toBe(winners[0]?.password)
    })
  })
}
