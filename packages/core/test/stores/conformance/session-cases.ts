import { StoreUnavailableError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import {
  type GetStores,
  NOW,
  newSession,
  newUser,
  randomId,
  successorAt,
  userWithSession,
} from './fixtures.js'

/** SessionStore: families, rotation and its outcomes, revocation, listing, flushing. */
export function describeSessionStore(getStores: GetStores): void {
  describe('SessionStore', () => {
    it('creates a family with its first token', async () => {
      const { sessions } = getStores()
      const { input } = await userWithSession(getStores(), 'alice')
      expect(await sessions.findSession(input.session.id)).toEqual({
        ...input.session,
        revokedAt: null,
        revokeReason: null,
      })
      expect(await sessions.findRefreshToken(input.token.jti)).toEqual({
        ...input.token,
        consumedAt: null,
        replacedBy: null,
      })
      expect(await sessions.findSession(randomId())).toBeUndefined()
      expect(await sessions.findRefreshToken(randomId())).toBeUndefined()
    })

    it('refuses a duplicate family or jti, or a missing user, and stores nothing', async () => {
      const stores = getStores()
      const { user, input } = await userWithSession(stores, 'bob')
      const sameFamily = newSession(user.id)
      const duplicateFamily = {
        session: { ...sameFamily.session, id: input.session.id },
        token: { ...sameFamily.token, familyId: input.session.id },
      }
      await expect(stores.sessions.createSession(duplicateFamily)).rejects.toThrow(
        StoreUnavailableError,
      )
      expect(await stores.sessions.findRefreshToken(sameFamily.token.jti)).toBeUndefined()

      const duplicateJti = newSession(user.id)
      const clash = { ...duplicateJti, token: { ...duplicateJti.token, jti: input.token.jti } }
      await expect(stores.sessions.createSession(clash)).rejects.toThrow(StoreUnavailableError)
      expect(await stores.sessions.findSession(duplicateJti.session.id)).toBeUndefined()

      for (const userId of ['987654', 'x']) {
        const orphan = newSession(userId)
        await expect(stores.sessions.createSession(orphan)).rejects.toThrow(StoreUnavailableError)
        expect(await stores.sessions.findSession(orphan.session.id)).toBeUndefined()
      }
    })

    it('refuses a first token of another family or user with a RangeError', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('carol'))
      const input = newSession(user.id)
      await expect(
        stores.sessions.createSession({
          ...input,
          token: { ...input.token, familyId: randomId() },
        }),
      ).rejects.toThrow(RangeError)
      await expect(
        stores.sessions.createSession({ ...input, token: { ...input.token, userId: '987654' } }),
      ).rejects.toThrow(RangeError)
    })

    it('rotates: consumes the token, stores the successor, moves the family', async () => {
      const stores = getStores()
      const { user, input } = await userWithSession(stores, 'dave')
      const next = successorAt(NOW + 60)
      const result = await stores.sessions.consumeRefreshToken(input.token.jti, NOW + 60, next)
      const token = { ...input.token, consumedAt: NOW + 60, replacedBy: next.jti }
      const session = {
        ...input.session,
        lastUsedAt: NOW + 60,
        expiresAt: next.expiresAt,
        revokedAt: null,
        revokeReason: null,
      }
      expect(result).toEqual({ outcome: 'rotated', token, session })
      expect(await stores.sessions.findRefreshToken(input.token.jti)).toEqual(token)
      expect(await stores.sessions.findSession(input.session.id)).toEqual(session)
      expect(await stores.sessions.findRefreshToken(next.jti)).toEqual({
        ...next,
        familyId: input.session.id,
        userId: user.id,
        consumedAt: null,
        replacedBy: null,
      })
    })

    it('follows a rotation chain, each token usable once', async () => {
      const stores = getStores()
      const { input } = await userWithSession(stores, 'erin')
      let jti = input.token.jti
      const chain = [jti]
      for (let step = 1; step <= 5; step += 1) {
        const next = successorAt(NOW + step * 100)
        const result = await stores.sessions.consumeRefreshToken(jti, NOW + step * 100, next)
        expect(result.outcome).toBe('rotated')
        jti = next.jti
        chain.push(jti)
      }
      for (const [index, old] of chain.slice(0, -1).entries()) {
        const again = await stores.sessions.consumeRefreshToken(old, NOW + 1000, successorAt(NOW))
        expect(again.outcome).toBe('consumed')
        if (again.outcome === 'consumed') expect(again.token.replacedBy).toBe(chain[index + 1])
      }
      const session = await stores.sessions.findSession(input.session.id)
      expect(session?.lastUsedAt).toBe(NOW + 500)
    })
  })
}
