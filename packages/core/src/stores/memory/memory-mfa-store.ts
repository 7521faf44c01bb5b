import type { MfaStore, TrustedDeviceRecord } from '../mfa-store.js'
import { constraintFailure, type MemoryState } from './memory-state.js'

/**
 * Second factors held in `state`. Every method reads and writes within one tick, so each
 * conditional write (`useTotpStep`, `useRecoveryCode`, `consumeMfaToken`) is atomic.
 */
export function createMemoryMfaStore(state: MemoryState): MfaStore {
  const { totp, recoveryCodes, usedMfaTokens, trustedDevices } = state

  function isTrusted(device: TrustedDeviceRecord, now: number): boolean {
    return device.revokedAt === null && device.expiresAt > now
  }

  function storeCodes(userId: string, hashes: readonly string[]): void {
    recoveryCodes.set(userId, new Map(hashes.map((hash) => [hash, null])))
  }

  return {
    async findTotp(userId) {
      const record = totp.get(userId)
      return record && { ...record }
    },

    async saveTotpSetup(userId, secret, now) {
      if (!state.users.has(userId)) throw constraintFailure()
      if (totp.get(userId)?.confirmedAt != null) return false
      totp.set(userId, { userId, secret, createdAt: now, confirmedAt: null, lastUsedStep: null })
      recoveryCodes.delete(userId)
      return true
    },

    async confirmTotp(userId, step, hashes, now) {
      const record = totp.get(userId)
      if (record === undefined || record.confirmedAt !== null) return false
      if (record.lastUsedStep !== null && step <= record.lastUsedStep) return false
      totp.set(userId, { ...record, confirmedAt: now, lastUsedStep: step })
      storeCodes(userId, hashes)
      return true
    },

    async useTotpStep(userId, step) {
      const record = totp.get(userId)
      if (record === undefined || record.confirmedAt === null) return false
      if (record.lastUsedStep !== null && step <= record.lastUsedStep) return false
      totp.set(userId, { ...record, lastUsedStep: step })
      return true
    },

    async deleteTotp(userId) {
      recoveryCodes.delete(userId)
      return totp.delete(userId)
    },

    async replaceRecoveryCodes(userId, hashes) {
      if (!state.users.has(userId)) throw constraintFailure()
      storeCodes(userId, hashes)
    },

    async useRecoveryCode(userId, hash, now) {
      const codes = recoveryCodes.get(userId)
      if (codes === undefined || codes.get(hash) !== null) return false
      codes.set(hash, now)
      return true
    },

    async countRecoveryCodes(userId) {
      let left = 0
      for (const usedAt of recoveryCodes.get(userId)?.values() ?? []) if (usedAt === null) left += 1
      return left
    },

    async consumeMfaToken(jti, _userId, expiresAt) {
      if (usedMfaTokens.has(jti)) return false
      usedMfaTokens.set(jti, expiresAt)
      return true
    },

    async createTrustedDevice(device) {
      if (!state.users.has(device.userId) || trustedDevices.has(device.id)) {
        throw constraintFailure()
      }
      for (const other of trustedDevices.values()) {
        if (other.tokenHash === device.tokenHash) throw constraintFailure()
      }
      trustedDevices.set(device.id, { ...device, revokedAt: null })
    },

    async findTrustedDeviceByTokenHash(tokenHash) {
      for (const device of trustedDevices.values()) {
        if (device.tokenHash === tokenHash) return { ...device }
      }
      return undefined
    },

    async listTrustedDevices(userId, now) {
      return [...trustedDevices.values()]
        .filter((device) => device.userId === userId && isTrusted(device, now))
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .map((device) => ({ ...device }))
    },

    async revokeTrustedDevice(userId, id, now) {
      const device = trustedDevices.get(id)
      if (device === undefined || device.userId !== userId || device.revokedAt !== null) {
        return false
      }
      trustedDevices.set(id, { ...device, revokedAt: now })
      return true
    },

    async revokeUserTrustedDevices(userId, now) {
      let count = 0
      for (const device of [...trustedDevices.values()]) {
        if (device.userId !== userId || device.revokedAt !== null) continue
        trustedDevices.set(device.id, { ...device, revokedAt: now })
        count += 1
      }
      return count
    },

    async flushExpired(now) {
      let count = 0
      for (const [jti, expiresAt] of [...usedMfaTokens]) {
        if (expiresAt < now) {
          usedMfaTokens.delete(jti)
          count += 1
        }
      }
      for (const device of [...trustedDevices.values()]) {
        if (device.expiresAt < now) {
          trustedDevices.delete(device.id)
          count += 1
        }
      }
      return count
    },
  }
}
