import { KeyExistsError, type StoredKey } from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { type GetStores, randomId } from './fixtures.js'
import { HOSTILE } from './injection-cases.js'

/** An integer "now": key times are whole epoch seconds. */
const T = 1_700_000_000

/** A key record; the store treats the key material as opaque, so it need not be real. */
export function storedKey(overrides: Partial<StoredKey> = {}): StoredKey {
  const kid = overrides.kid ?? randomId()
  return {
    kid,
    alg: 'EdDSA',
    status: 'next',
    publicJwk: { kty: 'OKP', crv: 'Ed25519', x: `x-${kid}` },
    privateKey: `-----BEGIN PRIVATE KEY-----\n${kid}\n-----END PRIVATE KEY-----\n`,
    createdAt: T,
    activatedAt: null,
    retiredAt: null,
    verifyUntil: null,
    ...overrides,
  }
}

/** A current key activated at `at`. */
export function currentKey(at = T, overrides: Partial<StoredKey> = {}): StoredKey {
  return storedKey({ status: 'current', createdAt: at, activatedAt: at, ...overrides })
}

/** KeyStore: one current key at most, conditional rotation, retirement, pruning, change marker. */
export function describeKeyStore(getStores: GetStores): void {
  describe('KeyStore', () => {
    it('lists keys by createdAt then kid (code units), round-tripping every field', async () => {
      const { keys } = getStores()
      const b = storedKey({ kid: 'b', createdAt: T + 1, alg: 'ES256' })
      const a = storedKey({ kid: 'a', createdAt: T + 1, alg: 'RS256' })
      const upper = storedKey({ kid: 'Z', createdAt: T + 1 })
      const first = storedKey({ kid: 'z', createdAt: T })
      const retired = storedKey({
        kid: 'r',
        status: 'retired',
        createdAt: T + 2,
        activatedAt: T + 3,
        retiredAt: T + 4,
        verifyUntil: T + 5,
      })
      for (const key of [b, a, upper, first, retired]) await keys.insert(key)
      expect(await keys.list()).toEqual([first, upper, a, b, retired])
      expect(await getStores().keys.list()).toEqual(await keys.list())
    })

    it('refuses a duplicate kid with KeyExistsError and keeps the first key', async () => {
      const { keys } = getStores()
      const key = storedKey()
      await keys.insert(key)
      const failure = await keys.insert({ ...key, privateKey: 'other' }).catch((e: unknown) => e)
      expect(failure).toBeInstanceOf(KeyExistsError)
      expect(failure).toMatchObject({ kid: key.kid })
      expect((failure as Error).message).not.toContain('other')
      await expect(keys.insertFirstCurrent({ ...currentKey(), kid: key.kid })).rejects.toThrow(
        KeyExistsError,
      )
      expect(await keys.list()).toEqual([key])
    })

    it('insert refuses current keys, fractional times and dates that contradict the status', async () => {
      const { keys } = getStores()
      await expect(keys.insert(currentKey())).rejects.toThrow(RangeError)
      await expect(keys.insert(storedKey({ createdAt: T + 0.5 }))).rejects.toThrow(RangeError)
      await expect(keys.insert(storedKey({ activatedAt: T }))).rejects.toThrow(RangeError)
      await expect(
        keys.insert(storedKey({ status: 'retired', retiredAt: T, verifyUntil: null })),
      ).rejects.toThrow(RangeError)
      await expect(keys.insert(storedKey({ alg: 'HS256' as StoredKey['alg'] }))).rejects.toThrow(
        RangeError,
      )
      await expect(keys.insertFirstCurrent(storedKey())).rejects.toThrow(RangeError)
      expect(await keys.list()).toEqual([])
    })

    it('insertFirstCurrent stores a current key only while there is none', async () => {
      const { keys } = getStores()
      const first = currentKey()
      expect(await keys.insertFirstCurrent(first)).toBe(true)
      expect(await keys.insertFirstCurrent(currentKey())).toBe(false)
      expect(await keys.list()).toEqual([first])
    })

    it('insertFirstNext stores a next key only while there is none', async () => {
      const { keys } = getStores()
      const current = currentKey()
      await keys.insertFirstCurrent(current)
      const first = storedKey({ createdAt: T + 1 })
      expect(await keys.insertFirstNext(first)).toBe(true)
      expect(await keys.insertFirstNext(storedKey({ createdAt: T + 2 }))).toBe(false)
      await expect(keys.insertFirstNext(currentKey())).rejects.toThrow(RangeError)
      expect(await keys.list()).toEqual([current, first])
    })

    it('insertFirstNext refuses a kid that exists with KeyExistsError', async () => {
      const { keys } = getStores()
      const current = currentKey()
      await keys.insertFirstCurrent(current)
      await expect(keys.insertFirstNext(storedKey({ kid: current.kid }))).rejects.toThrow(
        KeyExistsError,
      )
      expect(await keys.list()).toEqual([current])
    })

    it.each([
      ['insertFirstCurrent', () => currentKey()],
      ['insertFirstNext', () => storedKey()],
    ] as const)('of 20 concurrent %s exactly one wins', async (method, candidate) => {
      const { keys } = getStores()
      const candidates = Array.from({ length: 20 }, candidate)
      const results = await Promise.all(candidates.map((key) => keys[method](key)))
      expect(results.filter(Boolean)).toHaveLength(1)
      expect(await keys.list()).toEqual([candidates[results.indexOf(true)]])
    })

    it('rotate retires the current key and promotes the next one, dates and all', async () => {
      const { keys } = getStores()
      const old = currentKey(T - 100)
      const next = storedKey({ createdAt: T - 50 })
      await keys.insertFirstCurrent(old)
      await keys.insert(next)
      const rotated = await keys.rotate({
        expectedCurrentKid: old.kid,
        nextKid: next.kid,
        at: T,
        verifyUntil: T + 600,
      })
      expect(rotated).toBe(true)
      expect(await keys.list()).toEqual([
        { ...old, status: 'retired', retiredAt: T, verifyUntil: T + 600 },
        { ...next, status: 'current', activatedAt: T },
      ])
    })

    it('rotate changes nothing when the expectation is stale or the next key is not next', async () => {
      const { keys } = getStores()
      const old = currentKey(T - 100)
      const next = storedKey({ createdAt: T - 50 })
      const retired = storedKey({
        status: 'retired',
        createdAt: T - 90,
        activatedAt: T - 90,
        retiredAt: T - 80,
        verifyUntil: T + 10,
      })
      await keys.insertFirstCurrent(old)
      await keys.insert(next)
      await keys.insert(retired)
      const before = await keys.list()
      const version = await keys.version()
      const attempts = [
        { expectedCurrentKid: next.kid, nextKid: next.kid },
        { expectedCurrentKid: null, nextKid: next.kid },
        { expectedCurrentKid: 'unknown', nextKid: next.kid },
        // The current key is right but the next one is not `next`: the retirement rolls back.
        { expectedCurrentKid: old.kid, nextKid: retired.kid },
        { expectedCurrentKid: old.kid, nextKid: old.kid },
        { expectedCurrentKid: old.kid, nextKid: 'unknown' },
      ]
      for (const attempt of attempts) {
        expect(await keys.rotate({ ...attempt, at: T, verifyUntil: T + 600 })).toBe(false)
      }
      expect(await keys.list()).toEqual(before)
      expect(await keys.version()).toBe(version)
    })

    it('rotate with no expected current key promotes a next key into an empty seat', async () => {
      const { keys } = getStores()
      const next = storedKey()
      await keys.insert(next)
      const rotation = { expectedCurrentKid: null, nextKid: next.kid, at: T, verifyUntil: T }
      expect(await keys.rotate(rotation)).toBe(true)
      expect(await keys.list()).toEqual([{ ...next, status: 'current', activatedAt: T }])
      expect(await keys.rotate(rotation)).toBe(false)
    })

    it('of 20 concurrent rotations with the same expectation exactly one happens', async () => {
      const { keys } = getStores()
      const old = currentKey(T - 100)
      await keys.insertFirstCurrent(old)
      const nexts = Array.from({ length: 20 }, (_, index) => storedKey({ createdAt: T - index }))
      for (const next of nexts) await keys.insert(next)
      const results = await Promise.all(
        nexts.map((next) =>
          keys.rotate({
            expectedCurrentKid: old.kid,
            nextKid: next.kid,
            at: T,
            verifyUntil: T + 60,
          }),
        ),
      )
      expect(results.filter(Boolean)).toHaveLength(1)
      const winner = nexts[results.indexOf(true)]
      const listed = await keys.list()
      expect(listed.filter((key) => key.status === 'current').map((key) => key.kid)).toEqual([
        winner?.kid,
      ])
      expect(listed.filter((key) => key.status === 'retired').map((key) => key.kid)).toEqual([
        old.kid,
      ])
      expect(listed.filter((key) => key.status === 'next')).toHaveLength(19)
    })

    it('retire retires a next key only: never the current one, an unknown or a retired kid', async () => {
      const { keys } = getStores()
      const current = currentKey(T - 10)
      const next = storedKey()
      await keys.insertFirstCurrent(current)
      await keys.insert(next)
      expect(await keys.retire(current.kid, T, T + 60)).toBe(false)
      expect(await keys.retire('unknown', T, T + 60)).toBe(false)
      expect(await keys.retire(next.kid, T, T + 60)).toBe(true)
      expect(await keys.retire(next.kid, T + 1, T + 61)).toBe(false)
      expect(await keys.list()).toEqual([
        current,
        { ...next, status: 'retired', retiredAt: T, verifyUntil: T + 60 },
      ])
      await expect(keys.retire(current.kid, T + 0.5, T)).rejects.toThrow(RangeError)
    })

    it('replacePrivateKey swaps the private key only while it is still the expected one', async () => {
      const { keys } = getStores()
      const key = storedKey()
      await keys.insert(key)
      expect(await keys.replacePrivateKey(key.kid, 'not-it', 'sealed')).toBe(false)
      expect(await keys.replacePrivateKey('unknown', key.privateKey, 'sealed')).toBe(false)
      expect(await keys.replacePrivateKey(key.kid, key.privateKey, 'sealed')).toBe(true)
      expect(await keys.list()).toEqual([{ ...key, privateKey: 'sealed' }])
    })

    it('deleteExpired drops retired keys with verifyUntil before now, and counts them', async () => {
      const { keys } = getStores()
      const retiredUntil = (verifyUntil: number) =>
        storedKey({
          status: 'retired',
          activatedAt: T - 500,
          retiredAt: T - 100,
          verifyUntil,
        })
      const gone = [retiredUntil(T - 10), retiredUntil(T - 1)]
      const kept = [retiredUntil(T), retiredUntil(T + 1)]
      for (const key of [...gone, ...kept]) await keys.insert(key)
      const current = currentKey(T - 500)
      const next = storedKey({ createdAt: T - 600 })
      await keys.insertFirstCurrent(current)
      await keys.insert(next)
      expect(await keys.deleteExpired(T)).toBe(2)
      expect(await keys.deleteExpired(T)).toBe(0)
      const left = (await keys.list()).map((key) => key.kid).sort()
      expect(left).toEqual([...kept, current, next].map((key) => key.kid).sort())
    })

    it('version changes after every write that changed a key, and only then', async () => {
      const { keys } = getStores()
      const seen = new Set<string>()
      const step = async (write: () => Promise<unknown>, changes: boolean) => {
        const before = await keys.version()
        seen.add(before)
        await write()
        const after = await keys.version()
        if (changes) {
          expect(seen.has(after)).toBe(false)
        } else {
          expect(after).toBe(before)
        }
      }
      const current = currentKey(T - 100)
      const next = storedKey()
      const spare = storedKey()
      await step(() => keys.insertFirstCurrent(current), true)
      await step(() => keys.insertFirstCurrent(currentKey()), false)
      await step(() => keys.insert(next), true)
      await step(() => keys.insert(next).catch(() => undefined), false)
      await step(() => keys.insertFirstNext(storedKey()), false)
      await step(() => keys.insert(spare), true)
      await step(() => keys.retire(current.kid, T, T), false)
      await step(() => keys.retire(spare.kid, T - 50, T - 40), true)
      await step(
        () => keys.rotate({ expectedCurrentKid: null, nextKid: next.kid, at: T, verifyUntil: T }),
        false,
      )
      await step(
        () =>
          keys.rotate({
            expectedCurrentKid: current.kid,
            nextKid: next.kid,
            at: T,
            verifyUntil: T,
          }),
        true,
      )
      await step(() => keys.replacePrivateKey(next.kid, 'stale', 'x'), false)
      await step(() => keys.replacePrivateKey(next.kid, next.privateKey, 'x'), true)
      await step(() => keys.deleteExpired(T - 100), false)
      await step(() => keys.deleteExpired(T + 1), true)
      // The rotation left no next key: now one may be added.
      await step(() => keys.insertFirstNext(storedKey()), true)
      await step(() => keys.list(), false)
      expect(typeof (await keys.version())).toBe('string')
    })

    it('round-trips hostile strings in kids, key material and JWK members', async () => {
      const { keys } = getStores()
      const inserted: StoredKey[] = []
      for (const [index, text] of HOSTILE.entries()) {
        const key = storedKey({
          kid: `${text}#${index}`,
          createdAt: T + index,
          privateKey: text,
          publicJwk: { kty: 'OKP', crv: text, x: text, [text]: text },
        })
        await keys.insert(key)
        inserted.push(key)
      }
      expect(await keys.list()).toEqual(inserted)
      const [first] = inserted
      if (first === undefined) throw new Error('no key')
      expect(await keys.retire(first.kid, T, T + 1)).toBe(true)
      expect(await keys.retire("' OR '1'='1", T, T + 1)).toBe(false)
      expect((await keys.list()).filter((key) => key.status === 'retired')).toHaveLength(1)
    })
  })
}
