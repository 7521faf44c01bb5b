import { KeyExistsError, type KeyRotation, type KeyStore, type StoredKey } from '../key-store.js'
import { byKeyAge, checkInsertableKey, checkKeyRecord, checkTimes } from '../store-input.js'
import type { MemoryState } from './memory-state.js'

function copyKey(key: StoredKey): StoredKey {
  return { ...key, publicJwk: { ...key.publicJwk } }
}

/**
 * The signing keys held in `state`. Each method reads and writes within one tick, so each is
 * atomic; the change counter moves only when a key changed, as the SQL rollback guarantees.
 */
export function createMemoryKeyStore(state: MemoryState): KeyStore {
  const keys = state.signingKeys

  function changed(): void {
    state.sequences.keys += 1
  }

  function current(): StoredKey | undefined {
    for (const key of keys.values()) if (key.status === 'current') return key
    return undefined
  }

  return {
    async list() {
      return [...keys.values()].sort(byKeyAge).map(copyKey)
    },

    async insert(key: StoredKey) {
      checkInsertableKey(key)
      if (keys.has(key.kid)) throw new KeyExistsError(key.kid)
      keys.set(key.kid, copyKey(key))
      changed()
    },

    async insertFirstCurrent(key: StoredKey) {
      if (key.status !== 'current') throw new RangeError('insertFirstCurrent stores a current key')
      checkKeyRecord(key)
      if (current() !== undefined) return false
      if (keys.has(key.kid)) throw new KeyExistsError(key.kid)
      keys.set(key.kid, copyKey(key))
      changed()
      return true
    },

    async insertFirstNext(key: StoredKey) {
      if (key.status !== 'next') throw new RangeError('insertFirstNext stores a next key')
      checkInsertableKey(key)
      for (const each of keys.values()) if (each.status === 'next') return false
      if (keys.has(key.kid)) throw new KeyExistsError(key.kid)
      keys.set(key.kid, copyKey(key))
      changed()
      return true
    },

    async rotate({ expectedCurrentKid, nextKid, at, verifyUntil }: KeyRotation) {
      checkTimes(at, verifyUntil)
      const old = current()
      if ((old?.kid ?? null) !== expectedCurrentKid) return false
      const next = keys.get(nextKid)
      if (next === undefined || next.status !== 'next') return false
      if (old !== undefined) {
        keys.set(old.kid, { ...old, status: 'retired', retiredAt: at, verifyUntil })
      }
      keys.set(nextKid, { ...next, status: 'current', activatedAt: at })
      changed()
      return true
    },

    async retire(kid: string, at: number, verifyUntil: number) {
      checkTimes(at, verifyUntil)
      const key = keys.get(kid)
      if (key === undefined || key.status !== 'next') return false
      keys.set(kid, { ...key, status: 'retired', retiredAt: at, verifyUntil })
      changed()
      return true
    },

    async replacePrivateKey(kid: string, from: string, to: string) {
      const key = keys.get(kid)
      if (key === undefined || key.privateKey !== from) return false
      keys.set(kid, { ...key, privateKey: to })
      changed()
      return true
    },

    async deleteExpired(now: number) {
      let count = 0
      for (const key of [...keys.values()]) {
        if (key.status === 'retired' && key.verifyUntil !== null && key.verifyUntil < now) {
          keys.delete(key.kid)
          count += 1
        }
      }
      if (count > 0) changed()
      return count
    },

    async version() {
      return String(state.sequences.keys)
    },
  }
}
