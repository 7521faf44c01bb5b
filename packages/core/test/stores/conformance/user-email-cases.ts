import { EmailTakenError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newUser } from './fixtures.js'

/** UserStore.findUsersByEmail: case-insensitive lookups on the email key, by id. */
export function describeFindUsersByEmail(getStores: GetStores): void {
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
