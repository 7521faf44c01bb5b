import { type PasskeyRecord, StoreUnavailableError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newUser, randomId } from './fixtures.js'

function passkey(userId: string, overrides: Partial<PasskeyRecord> = {}) {
  return {
    id: randomId(),
    userId,
    publicKey: 'pQECAyYgASFYIA',
    counter: 0,
    transports: ['internal', 'hybrid'],
    name: 'Laptop',
    createdAt: NOW,
    deviceType: 'multiDevice' as const,
    backedUp: true,
    ...overrides,
  }
}

const challenge = (userId: string | null, expiresAt = NOW + 300) => ({
  challenge: randomId() + randomId(),
  purpose: 'login' as const,
  userId,
  expiresAt,
})

/** PasskeyStore: credentials, counters that only grow, single-use challenges. */
export function describePasskeyStore(getStores: GetStores): void {
  describe('PasskeyStore: credentials', () => {
    it('creates, finds, lists oldest first, renames and deletes only its owner’s passkeys', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('pam'))
      const other = await stores.users.createUser(newUser('otto'))
      const first = passkey(user.id, { createdAt: NOW + 5, name: 'Phone' })
      const second = passkey(user.id, { createdAt: NOW + 1 })
      expect(await stores.passkeys.createPasskey(first)).toBe(true)
      expect(await stores.passkeys.createPasskey(second)).toBe(true)
      // A credential id is unique across users.
      expect(await stores.passkeys.createPasskey({ ...first, userId: other.id })).toBe(false)
      expect(await stores.passkeys.findPasskey(first.id)).toEqual({
        ...first,
        lastUsedAt: null,
        clonedAt: null,
      })
      expect((await stores.passkeys.listPasskeys(user.id)).map((p) => p.id)).toEqual([
        second.id,
        first.id,
      ])
      expect(await stores.passkeys.listPasskeys(other.id)).toEqual([])
      expect(await stores.passkeys.renamePasskey(other.id, first.id, 'Mine')).toBe(false)
      expect(await stores.passkeys.renamePasskey(user.id, first.id, 'Work phone')).toBe(true)
      expect((await stores.passkeys.findPasskey(first.id))?.name).toBe('Work phone')
      expect(await stores.passkeys.deletePasskey(other.id, first.id)).toBe(false)
      expect(await stores.passkeys.deletePasskey(user.id, first.id)).toBe(true)
      expect(await stores.passkeys.deletePasskey(user.id, first.id)).toBe(false)
      expect(await stores.passkeys.findPasskey(first.id)).toBeUndefined()
      expect(await stores.passkeys.findPasskey('x\u0000')).toBeUndefined()
      expect(await stores.passkeys.listPasskeys('x')).toEqual([])
    })

    it('deletes a user’s passkeys with deleteUserPasskeys and with the user', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('gone'))
      await stores.passkeys.createPasskey(passkey(user.id))
      await stores.passkeys.createPasskey(passkey(user.id))
      expect(await stores.passkeys.deleteUserPasskeys(user.id)).toBe(2)
      const kept = passkey(user.id)
      await stores.passkeys.createPasskey(kept)
      expect(await stores.users.deleteUser(user.id)).toBe(true)
      expect(await stores.passkeys.findPasskey(kept.id)).toBeUndefined()
    })

    it('refuses a passkey or a challenge of a user that does not exist', async () => {
      const stores = getStores()
      await expect(stores.passkeys.createPasskey(passkey('424242'))).rejects.toBeInstanceOf(
        StoreUnavailableError,
      )
      await expect(stores.passkeys.saveChallenge(challenge('424242'))).rejects.toBeInstanceOf(
        StoreUnavailableError,
      )
    })
  })

  describe('PasskeyStore: counters', () => {
    it('accepts a growing counter, refuses an equal or lower one; 0 stays 0 for counterless keys', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('cora'))
      const counted = passkey(user.id, { counter: 5 })
      const counterless = passkey(user.id)
      await stores.passkeys.createPasskey(counted)
      await stores.passkeys.createPasskey(counterless)
      expect(await stores.passkeys.usePasskey(counted.id, 5, true, NOW + 1)).toBe(false)
      expect(await stores.passkeys.usePasskey(counted.id, 4, true, NOW + 1)).toBe(false)
      expect(await stores.passkeys.usePasskey(counted.id, 0, true, NOW + 1)).toBe(false)
      expect(await stores.passkeys.usePasskey(counted.id, 6, false, NOW + 2)).toBe(true)
      expect(await stores.passkeys.findPasskey(counted.id)).toMatchObject({
        counter: 6,
        backedUp: false,
        lastUsedAt: NOW + 2,
      })
      expect(await stores.passkeys.usePasskey(counterless.id, 0, true, NOW + 3)).toBe(true)
      expect(await stores.passkeys.usePasskey(counterless.id, 0, true, NOW + 4)).toBe(true)
      expect(await stores.passkeys.usePasskey(counterless.id, 2 ** 32 - 1, true, NOW + 5)).toBe(
        true,
      )
      expect(await stores.passkeys.usePasskey('unknown', 9, true, NOW)).toBe(false)
    })

    it('lets exactly one of 20 parallel uses of one counter value through', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('race'))
      const record = passkey(user.id, { counter: 1 })
      await stores.passkeys.createPasskey(record)
      const results = await Promise.all(
        Array.from({ length: 20 }, () => stores.passkeys.usePasskey(record.id, 2, true, NOW)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
    })

    it('refuses every use of a passkey flagged as cloned, and keeps the first flag time', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('clone'))
      const record = passkey(user.id, { counter: 3 })
      await stores.passkeys.createPasskey(record)
      expect(await stores.passkeys.flagPasskeyCloned(record.id, NOW + 1)).toBe(true)
      expect(await stores.passkeys.flagPasskeyCloned(record.id, NOW + 2)).toBe(true)
      expect((await stores.passkeys.findPasskey(record.id))?.clonedAt).toBe(NOW + 1)
      expect(await stores.passkeys.usePasskey(record.id, 10, true, NOW + 3)).toBe(false)
      expect(await stores.passkeys.flagPasskeyCloned('unknown', NOW)).toBe(false)
    })
  })

  describe('PasskeyStore: challenges', () => {
    it('hands a challenge out once, before it expires, and flushes expired ones', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('chad'))
      const mine = { ...challenge(user.id), purpose: 'register' as const }
      await stores.passkeys.saveChallenge(mine)
      await expect(stores.passkeys.saveChallenge(mine)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      )
      expect(await stores.passkeys.consumeChallenge(mine.challenge, NOW)).toEqual(mine)
      expect(await stores.passkeys.consumeChallenge(mine.challenge, NOW)).toBeUndefined()
      const late = challenge(null, NOW + 10)
      await stores.passkeys.saveChallenge(late)
      expect(await stores.passkeys.consumeChallenge(late.challenge, NOW + 10)).toBeUndefined()
      // Refused once expired, and gone: a later clock error cannot revive it.
      expect(await stores.passkeys.consumeChallenge(late.challenge, NOW)).toBeUndefined()
      await stores.passkeys.saveChallenge(challenge(null, NOW + 10))
      await stores.passkeys.saveChallenge(challenge(null, NOW + 20))
      expect(await stores.passkeys.flushExpired(NOW + 15)).toBe(1)
      expect(await stores.passkeys.consumeChallenge('nope\u0000', NOW)).toBeUndefined()
    })

    it('gives a challenge to exactly one of 20 parallel consumers', async () => {
      const stores = getStores()
      const one = challenge(null)
      await stores.passkeys.saveChallenge(one)
      const results = await Promise.all(
        Array.from({ length: 20 }, () => stores.passkeys.consumeChallenge(one.challenge, NOW)),
      )
      expect(results.filter((result) => result !== undefined)).toEqual([one])
    })
  })
}
