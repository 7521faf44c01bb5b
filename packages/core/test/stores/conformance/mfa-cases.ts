import { StoreUnavailableError } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, NOW, newUser, randomId } from './fixtures.js'

const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP'
const digest = (n: number) => n.toString(16).padStart(64, '0')

async function userWithTotp(getStores: GetStores, name: string, step = 100) {
  const stores = getStores()
  const user = await stores.users.createUser(newUser(name))
  expect(await stores.mfa.saveTotpSetup(user.id, SECRET, NOW)).toBe(true)
  expect(await stores.mfa.confirmTotp(user.id, step, [digest(1), digest(2)], NOW + 1)).toBe(true)
  return { stores, user }
}

function device(userId: string, at = NOW, lifetime = 3600) {
  return {
    id: randomId(),
    userId,
    tokenHash: randomId() + randomId(),
    device: 'Mozilla/5.0',
    ip: '203.0.113.7',
    createdAt: at,
    expiresAt: at + lifetime,
  }
}

/** MfaStore: enrolment, single-use steps, recovery codes and MFA tokens, trusted devices. */
export function describeMfaStore(getStores: GetStores): void {
  describe('MfaStore: TOTP', () => {
    it('stores a pending setup, confirms it once, and never replaces a confirmed one', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('tina'))
      expect(await stores.mfa.findTotp(user.id)).toBeUndefined()
      expect(await stores.mfa.saveTotpSetup(user.id, 'A', NOW)).toBe(true)
      // A second setup while pending replaces the secret.
      expect(await stores.mfa.saveTotpSetup(user.id, SECRET, NOW + 1)).toBe(true)
      expect(await stores.mfa.findTotp(user.id)).toEqual({
        userId: user.id,
        secret: SECRET,
        createdAt: NOW + 1,
        confirmedAt: null,
        lastUsedStep: null,
      })
      expect(await stores.mfa.useTotpStep(user.id, 5)).toBe(false)
      expect(await stores.mfa.confirmTotp(user.id, 7, [digest(1)], NOW + 2)).toBe(true)
      expect(await stores.mfa.confirmTotp(user.id, 8, [digest(1)], NOW + 2)).toBe(false)
      expect(await stores.mfa.findTotp(user.id)).toMatchObject({
        confirmedAt: NOW + 2,
        lastUsedStep: 7,
      })
      expect(await stores.mfa.saveTotpSetup(user.id, 'B', NOW + 3)).toBe(false)
      expect((await stores.mfa.findTotp(user.id))?.secret).toBe(SECRET)
      expect(await stores.mfa.countRecoveryCodes(user.id)).toBe(1)
    })

    it('accepts each step once, and never one older than the last accepted', async () => {
      const { stores, user } = await userWithTotp(getStores, 'steve', 100)
      expect(await stores.mfa.useTotpStep(user.id, 100)).toBe(false)
      expect(await stores.mfa.useTotpStep(user.id, 101)).toBe(true)
      expect(await stores.mfa.useTotpStep(user.id, 101)).toBe(false)
      expect(await stores.mfa.useTotpStep(user.id, 99)).toBe(false)
      expect(await stores.mfa.useTotpStep(user.id, 3_000_000_000)).toBe(true)
      expect((await stores.mfa.findTotp(user.id))?.lastUsedStep).toBe(3_000_000_000)
      expect(await stores.mfa.useTotpStep('999999', 5)).toBe(false)
      expect(await stores.mfa.useTotpStep('x', 5)).toBe(false)
    })

    it('lets exactly one of 20 parallel uses of one step through', async () => {
      const { stores, user } = await userWithTotp(getStores, 'para', 100)
      const results = await Promise.all(
        Array.from({ length: 20 }, () => stores.mfa.useTotpStep(user.id, 101)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
    })

    it('deletes the authenticator with its recovery codes; deleting the user deletes both', async () => {
      const { stores, user } = await userWithTotp(getStores, 'del')
      expect(await stores.mfa.deleteTotp(user.id)).toBe(true)
      expect(await stores.mfa.deleteTotp(user.id)).toBe(false)
      expect(await stores.mfa.findTotp(user.id)).toBeUndefined()
      expect(await stores.mfa.countRecoveryCodes(user.id)).toBe(0)
      const other = await userWithTotp(getStores, 'gone')
      await stores.mfa.createTrustedDevice(device(other.user.id))
      expect(await stores.users.deleteUser(other.user.id)).toBe(true)
      expect(await stores.mfa.findTotp(other.user.id)).toBeUndefined()
      expect(await stores.mfa.countRecoveryCodes(other.user.id)).toBe(0)
      expect(await stores.mfa.listTrustedDevices(other.user.id, NOW)).toEqual([])
    })

    it('refuses a setup for a user that does not exist', async () => {
      const stores = getStores()
      await expect(stores.mfa.saveTotpSetup('424242', SECRET, NOW)).rejects.toBeInstanceOf(
        StoreUnavailableError,
      )
    })
  })

  describe('MfaStore: recovery codes and MFA tokens', () => {
    it('uses each recovery code once; replacing them drops the old ones', async () => {
      const { stores, user } = await userWithTotp(getStores, 'rick')
      expect(await stores.mfa.useRecoveryCode(user.id, digest(1), NOW)).toBe(true)
      expect(await stores.mfa.useRecoveryCode(user.id, digest(1), NOW)).toBe(false)
      expect(await stores.mfa.useRecoveryCode(user.id, digest(9), NOW)).toBe(false)
      expect(await stores.mfa.countRecoveryCodes(user.id)).toBe(1)
      const other = await stores.users.createUser(newUser('other'))
      expect(await stores.mfa.useRecoveryCode(other.id, digest(2), NOW)).toBe(false)
      await stores.mfa.replaceRecoveryCodes(user.id, [digest(3), digest(4), digest(5)], NOW)
      expect(await stores.mfa.countRecoveryCodes(user.id)).toBe(3)
      expect(await stores.mfa.useRecoveryCode(user.id, digest(2), NOW)).toBe(false)
      expect(await stores.mfa.useRecoveryCode(user.id, digest(4), NOW)).toBe(true)
    })

    it('lets exactly one of 20 parallel uses of one recovery code through', async () => {
      const { stores, user } = await userWithTotp(getStores, 'racer')
      const results = await Promise.all(
        Array.from({ length: 20 }, () => stores.mfa.useRecoveryCode(user.id, digest(2), NOW)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
    })

    it('consumes an MFA token once, also under 20 parallel attempts, and flushes it after expiry', async () => {
      const stores = getStores()
      const jti = randomId()
      const results = await Promise.all(
        Array.from({ length: 20 }, () => stores.mfa.consumeMfaToken(jti, '1', NOW + 300)),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(await stores.mfa.consumeMfaToken(jti, '1', NOW + 300)).toBe(false)
      expect(await stores.mfa.consumeMfaToken(randomId(), '1', NOW + 300)).toBe(true)
      expect(await stores.mfa.flushExpired(NOW + 300)).toBe(0)
      expect(await stores.mfa.flushExpired(NOW + 301)).toBe(2)
      // Flushed after expiry: the verifier refuses an expired token anyway.
      expect(await stores.mfa.consumeMfaToken(jti, '1', NOW + 300)).toBe(true)
    })
  })

  describe('MfaStore: trusted devices', () => {
    it('creates, finds by digest, lists newest first, revokes one or all', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('dora'))
      const other = await stores.users.createUser(newUser('otto'))
      const first = device(user.id, NOW)
      const second = device(user.id, NOW + 10)
      const expired = device(user.id, NOW - 7200)
      await stores.mfa.createTrustedDevice(first)
      await stores.mfa.createTrustedDevice(second)
      await stores.mfa.createTrustedDevice(expired)
      await stores.mfa.createTrustedDevice(device(other.id))
      expect(await stores.mfa.findTrustedDeviceByTokenHash(first.tokenHash)).toEqual({
        ...first,
        revokedAt: null,
      })
      expect(await stores.mfa.findTrustedDeviceByTokenHash('nope')).toBeUndefined()
      const listed = await stores.mfa.listTrustedDevices(user.id, NOW + 20)
      expect(listed.map((each) => each.id)).toEqual([second.id, first.id])
      expect(await stores.mfa.revokeTrustedDevice(other.id, first.id, NOW + 21)).toBe(false)
      expect(await stores.mfa.revokeTrustedDevice(user.id, first.id, NOW + 21)).toBe(true)
      expect(await stores.mfa.revokeTrustedDevice(user.id, first.id, NOW + 22)).toBe(false)
      expect((await stores.mfa.findTrustedDeviceByTokenHash(first.tokenHash))?.revokedAt).toBe(
        NOW + 21,
      )
      // second and the expired one; first was revoked already.
      expect(await stores.mfa.revokeUserTrustedDevices(user.id, NOW + 23)).toBe(2)
      expect(await stores.mfa.listTrustedDevices(user.id, NOW + 24)).toEqual([])
      expect(await stores.mfa.listTrustedDevices(other.id, NOW + 24)).toHaveLength(1)
      expect(await stores.mfa.flushExpired(NOW)).toBe(1)
    })

    it('refuses a duplicate id or token digest, and an unknown user', async () => {
      const stores = getStores()
      const user = await stores.users.createUser(newUser('dup'))
      const one = device(user.id)
      await stores.mfa.createTrustedDevice(one)
      await expect(
        stores.mfa.createTrustedDevice({ ...device(user.id), id: one.id }),
      ).rejects.toBeInstanceOf(StoreUnavailableError)
      await expect(
        stores.mfa.createTrustedDevice({ ...device(user.id), tokenHash: one.tokenHash }),
      ).rejects.toBeInstanceOf(StoreUnavailableError)
      await expect(stores.mfa.createTrustedDevice(device('424242'))).rejects.toBeInstanceOf(
        StoreUnavailableError,
      )
    })
  })
}
