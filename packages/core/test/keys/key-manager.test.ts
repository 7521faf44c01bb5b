// The key life cycle over a store, on a frozen clock that the tests move: a next key is published
// before it signs, a retired key verifies until verifyUntil and is then left out and pruned,
// rotateIfDue waits for both its interval and the pre-publication time.
import { sign, verify } from 'node:crypto'
import {
  type AsymmetricAlgorithm,
  KeyDecryptionError,
  KeyEncryptionKey,
  KeyError,
  KeyManager,
  type KeyManagerOptions,
  KeyRing,
  type KeyStore,
  type SigningKey,
  thumbprint,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { createLocalJWKSet, jwtVerify, SignJWT } from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'

const T0 = 1_700_000_000
const RETENTION = 3600

let now = T0
let store: KeyStore

function manager(options: Partial<KeyManagerOptions> = {}): KeyManager {
  return new KeyManager({ store, retention: RETENTION, clock: () => now, ...options })
}

async function ring(keys = manager()): Promise<KeyRing> {
  return new KeyRing(await keys.loadSigningKeys())
}

async function statuses(): Promise<Record<string, string>> {
  return Object.fromEntries((await store.list()).map((key) => [key.kid, key.status]))
}

/** Signs a JWT with the ring's current key and verifies it through the ring's JWKS, as a resource server would. */
async function signAndVerifyThroughJwks(keys: KeyRing, at: number): Promise<string | undefined> {
  const current = keys.current
  if (current.signingKey === undefined) throw new Error('current key cannot sign')
  const token = await new SignJWT({ sub: '1' })
    .setProtectedHeader({ alg: current.alg, kid: current.kid })
    .sign(current.signingKey)
  const { protectedHeader } = await jwtVerify(token, createLocalJWKSet(keys.toJwks(at)))
  return protectedHeader.kid
}

beforeEach(() => {
  now = T0
  store = createMemoryStores().keys
})

describe('KeyManager: first start', () => {
  it('generates a current key on an empty ring, then keeps returning it', async () => {
    const first = await manager().ensureCurrent('EdDSA')
    expect(first).toMatchObject({ alg: 'EdDSA', status: 'current', activatedAt: T0, createdAt: T0 })
    now += 10
    expect(await manager().ensureCurrent('ES256')).toEqual(first)
    expect(await store.list()).toHaveLength(1)
  })

  it('settles 10 concurrent first starts on one key', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => manager().ensureCurrent('EdDSA')),
    )
    expect(new Set(results.map((key) => key.kid)).size).toBe(1)
    expect(await store.list()).toHaveLength(1)
  })

  it('promotes a published next key rather than generating one when no key is current', async () => {
    const next = await manager().generate('ES256')
    now += 5
    const current = await manager().ensureCurrent('EdDSA')
    expect(current).toMatchObject({ kid: next.kid, alg: 'ES256', activatedAt: T0 + 5 })
    expect(await store.list()).toHaveLength(1)
  })
})

describe('KeyManager: generated keys', () => {
  for (const alg of ['RS256', 'ES256', 'EdDSA'] as AsymmetricAlgorithm[]) {
    it(`${alg}: kid is the RFC 7638 thumbprint, the stored JWK public, and the key signs`, async () => {
      await manager().ensureCurrent(alg)
      const [stored] = await store.list()
      if (stored === undefined) throw new Error('no key')
      expect(stored.kid).toBe(thumbprint(stored.publicJwk))
      expect(Object.keys(stored.publicJwk).sort()).toEqual(
        alg === 'RS256'
          ? ['e', 'kty', 'n']
          : alg === 'ES256'
            ? ['crv', 'kty', 'x', 'y']
            : ['crv', 'kty', 'x'],
      )
      expect(stored.privateKey).toMatch(/^-----BEGIN PRIVATE KEY-----\n/)
      const keys = await ring()
      expect(await signAndVerifyThroughJwks(keys, now)).toBe(stored.kid)
      const signing = keys.current
      const digest = alg === 'EdDSA' ? null : 'sha256'
      const signature = sign(
        digest,
        Buffer.from('x'),
        signing.signingKey as NonNullable<SigningKey['signingKey']>,
      )
      expect(verify(digest, Buffer.from('x'), signing.verifyingKey, signature)).toBe(true)
    })
  }

  it('lists summaries without key material', async () => {
    await manager().ensureCurrent('EdDSA')
    now += 1
    await manager().generate('EdDSA')
    const listed = await manager().list()
    expect(listed.map((key) => key.status)).toEqual(['current', 'next'])
    for (const summary of listed) {
      expect(Object.keys(summary).sort()).toEqual(
        [
          'activatedAt',
          'alg',
          'createdAt',
          'encrypted',
          'kid',
          'retiredAt',
          'status',
          'verifyUntil',
        ].sort(),
      )
      expect(summary.encrypted).toBe(false)
    }
  })

  it('refuses HMAC algorithms and bad durations with TypeErrors naming them', async () => {
    await expect(manager().generate('HS256' as AsymmetricAlgorithm)).rejects.toThrow(/alg must be/)
    await expect(manager().ensureCurrent('none' as AsymmetricAlgorithm)).rejects.toThrow(TypeError)
    expect(() => manager({ retention: -1 })).toThrow(/retention/)
    expect(() => manager({ retention: 1.5 })).toThrow(TypeError)
    await manager().ensureCurrent('EdDSA')
    await expect(manager().rotateIfDue({ interval: -5, prePublish: 0 })).rejects.toThrow(/interval/)
    await expect(manager().rotateIfDue({ interval: 5, prePublish: Number.NaN })).rejects.toThrow(
      /prePublish/,
    )
  })
})

describe('KeyManager: the rotation timeline', () => {
  it('publishes the next key before it signs, then retires the old key for `retention`', async () => {
    const a = await manager().ensureCurrent('EdDSA')
    now = T0 + 100
    const b = await manager().generate('EdDSA')

    // B is published (in JWKS, verifies) but A still signs.
    let keys = await ring()
    expect(keys.current.kid).toBe(a.kid)
    expect(keys.toJwks(now).keys.map((jwk) => jwk.kid)).toEqual([a.kid, b.kid])

    now = T0 + 1000
    const version = await manager().version()
    const result = await manager().rotate()
    expect(await manager().version()).not.toBe(version)
    expect(result.current).toMatchObject({ kid: b.kid, status: 'current', activatedAt: now })
    expect(result.retired).toMatchObject({
      kid: a.kid,
      status: 'retired',
      retiredAt: now,
      verifyUntil: now + RETENTION,
    })
    // The key of the following rotation is published at once.
    expect(result.next).toMatchObject({ status: 'next', createdAt: now })
    expect([a.kid, b.kid]).not.toContain(result.next.kid)

    keys = await ring()
    expect(keys.current.kid).toBe(b.kid)
    expect(await signAndVerifyThroughJwks(keys, now)).toBe(b.kid)
    expect(keys.verificationKey(a.kid, now)?.signingKey).toBeUndefined()
    expect(
      keys
        .toJwks(now)
        .keys.map((jwk) => jwk.kid)
        .sort(),
    ).toEqual([a.kid, b.kid, result.next.kid].sort())

    // Still verifying at verifyUntil itself...
    now = T0 + 1000 + RETENTION
    expect((await manager().loadSigningKeys()).map((key) => key.kid)).toContain(a.kid)
    expect(await manager().prune()).toBe(0)
    // ...left out one second later, and pruned.
    now += 1
    expect((await manager().loadSigningKeys()).map((key) => key.kid)).not.toContain(a.kid)
    expect(await manager().prune()).toBe(1)
    expect(await statuses()).toEqual({ [b.kid]: 'current', [result.next.kid]: 'next' })
  })

  it('rotate generates and promotes a key when none is next, and takes the oldest next first', async () => {
    const a = await manager().ensureCurrent('EdDSA')
    now += 10
    const first = await manager().rotate()
    expect(first.retired?.kid).toBe(a.kid)
    expect(first.current.createdAt).toBe(now)
    now += 10
    const later = await manager().generate('EdDSA')
    now += 10
    const second = await manager().rotate()
    expect(second.current.kid).toBe(first.next.kid)
    expect(second.next.kid).toBe(later.kid)
  })

  it('rotate({ alg }) switches algorithm, promoting a next key of that algorithm', async () => {
    await manager().ensureCurrent('EdDSA')
    await manager().generate('EdDSA')
    const result = await manager().rotate({ alg: 'ES256' })
    expect(result.current.alg).toBe('ES256')
    expect((await ring()).current.alg).toBe('ES256')
  })

  it('rotate throws, having rotated nothing, when another instance rotated first', async () => {
    await manager().ensureCurrent('EdDSA')
    await manager().generate('EdDSA')
    const before = await store.list()
    const racing: KeyStore = { ...store, rotate: async () => false }
    await expect(manager({ store: racing }).rotate()).rejects.toThrow(KeyError)
    expect(await store.list()).toEqual(before)
  })

  it('rotate without any key needs an algorithm', async () => {
    await expect(manager().rotate()).rejects.toThrow(/give alg/)
  })
})

describe('KeyManager.rotateIfDue', () => {
  const policy = { interval: 1000, prePublish: 300 }

  it('publishes a next key when none exists, and rotates only when interval and prePublish allow', async () => {
    const a = await manager().ensureCurrent('EdDSA')
    expect(await manager().rotateIfDue(policy)).toBe(false)
    // Generated in the same second as `a`: found by status, not by list order (then kid order).
    const b = (await store.list()).find((key) => key.status === 'next')
    expect(b).toMatchObject({ createdAt: T0 })

    // The interval has not passed.
    now = T0 + 999
    expect(await manager().rotateIfDue(policy)).toBe(false)
    expect((await ring()).current.kid).toBe(a.kid)
    now = T0 + 1000
    expect(await manager().rotateIfDue(policy)).toBe(true)
    expect(await statuses()).toMatchObject({ [a.kid]: 'retired', [b?.kid ?? '']: 'current' })
    // A new next key was published by the rotation; no second rotation is due.
    const c = (await store.list()).find((key) => key.status === 'next')
    expect(c).toMatchObject({ createdAt: T0 + 1000 })
    expect(await manager().rotateIfDue(policy)).toBe(false)
    expect(await store.list()).toHaveLength(3)
  })

  it('waits for the next key to have been published prePublish seconds, even when overdue', async () => {
    const a = await manager().ensureCurrent('EdDSA')
    now = T0 + 5000
    // No next key: one is published now, and it may not sign before now + prePublish.
    expect(await manager().rotateIfDue(policy)).toBe(false)
    now = T0 + 5299
    expect(await manager().rotateIfDue(policy)).toBe(false)
    expect((await ring()).current.kid).toBe(a.kid)
    now = T0 + 5300
    expect(await manager().rotateIfDue(policy)).toBe(true)
    expect((await ring()).current.kid).not.toBe(a.kid)
  })

  it('of 10 concurrent due calls exactly one rotates', async () => {
    await manager().ensureCurrent('EdDSA')
    await manager().generate('EdDSA')
    now = T0 + 2000
    const results = await Promise.all(
      Array.from({ length: 10 }, () => manager().rotateIfDue(policy)),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    expect((await store.list()).filter((key) => key.status === 'retired')).toHaveLength(1)
    expect((await store.list()).filter((key) => key.status === 'next')).toHaveLength(1)
  })

  it('10 instances finding no next key at the same tick publish one, not one each', async () => {
    await manager().ensureCurrent('EdDSA')
    const results = await Promise.all(
      Array.from({ length: 10 }, () => manager().rotateIfDue(policy)),
    )
    expect(results).toEqual(Array(10).fill(false))
    const nexts = (await store.list()).filter((key) => key.status === 'next')
    expect(nexts).toHaveLength(1)
    now = T0 + 1000
    expect(await manager().rotateIfDue(policy)).toBe(true)
    expect((await ring()).current.kid).toBe(nexts[0]?.kid)
  })

  it('does nothing without a current key', async () => {
    expect(await manager().rotateIfDue(policy)).toBe(false)
    expect(await store.list()).toEqual([])
  })
})

describe('KeyManager.retire', () => {
  it('retires a next key at once: it never signed, so it stops verifying now', async () => {
    await manager().ensureCurrent('EdDSA')
    const next = await manager().generate('EdDSA')
    now += 50
    expect(await manager().retire(next.kid)).toMatchObject({
      status: 'retired',
      retiredAt: now,
      verifyUntil: now,
    })
    now += 1
    expect((await manager().loadSigningKeys()).map((key) => key.kid)).not.toContain(next.kid)
  })

  it('retires the current key only by promoting a next key in the same step', async () => {
    const current = await manager().ensureCurrent('EdDSA')
    const error = await manager()
      .retire(current.kid)
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(KeyError)
    expect((error as Error).message).toMatch(/no next key/)
    expect(await statuses()).toEqual({ [current.kid]: 'current' })

    const next = await manager().generate('EdDSA')
    now += 20
    expect(await manager().retire(current.kid)).toMatchObject({
      kid: current.kid,
      status: 'retired',
      verifyUntil: now + RETENTION,
    })
    expect((await ring()).current.kid).toBe(next.kid)
  })

  it('refuses unknown and retired kids', async () => {
    await manager().ensureCurrent('EdDSA')
    const next = await manager().generate('EdDSA')
    await expect(manager().retire('nope')).rejects.toThrow(/no signing key with kid nope/)
    await manager().retire(next.kid)
    await expect(manager().retire(next.kid)).rejects.toThrow(/already retired/)
  })
})

describe('KeyManager with a key-encryption key', () => {
  const kek = KeyEncryptionKey.parse('11'.repeat(32))
  const otherKek = KeyEncryptionKey.parse('22'.repeat(32))

  it('stores private keys encrypted and loads them', async () => {
    await manager({ encryptionKey: kek }).ensureCurrent('ES256')
    await manager({ encryptionKey: kek }).generate('ES256')
    for (const key of await store.list()) {
      expect(key.privateKey.startsWith(`tessera-kek-v1.${kek.id}.`)).toBe(true)
      expect(key.privateKey).not.toContain('PRIVATE KEY')
    }
    expect((await manager().list()).map((key) => key.encrypted)).toEqual([true, true])
    const keys = await ring(manager({ encryptionKey: kek }))
    expect(await signAndVerifyThroughJwks(keys, now)).toBe(keys.current.kid)
  })

  it('loads the verifying keys without a KEK: the same kids, none able to sign', async () => {
    await manager({ encryptionKey: kek }).ensureCurrent('ES256')
    await manager({ encryptionKey: kek }).generate('ES256')
    const signing = await manager({ encryptionKey: kek }).loadSigningKeys()
    const verifying = await manager().loadVerifyingKeys()
    expect(verifying.map((key) => [key.kid, key.status])).toEqual(
      signing.map((key) => [key.kid, key.status]),
    )
    expect(verifying.every((key) => key.signingKey === undefined)).toBe(true)
    // A token of the current key verifies through the verify-only ring built from them.
    const current = signing.find((key) => key.status === 'current') as SigningKey
    const token = await new SignJWT({ sub: '1' })
      .setProtectedHeader({ alg: current.alg, kid: current.kid })
      .sign(current.signingKey as NonNullable<SigningKey['signingKey']>)
    const jwks = createLocalJWKSet(KeyRing.forVerification(verifying).toJwks(now))
    expect((await jwtVerify(token, jwks)).protectedHeader.kid).toBe(current.kid)
  })

  it('refuses to load an encrypted current key without the KEK or with another one', async () => {
    await manager({ encryptionKey: kek }).ensureCurrent('EdDSA')
    const missing = await manager()
      .loadSigningKeys()
      .catch((e: unknown) => e)
    expect(missing).toBeInstanceOf(KeyDecryptionError)
    expect(missing).toMatchObject({ reason: 'missing_kek', code: 'key_invalid' })
    const wrong = await manager({ encryptionKey: otherKek })
      .loadSigningKeys()
      .catch((e: unknown) => e)
    expect(wrong).toMatchObject({ reason: 'wrong_kek' })
    expect((wrong as Error).message).toMatch(/was encrypted with another key-encryption key/)
  })

  it('decrypts only the current key: next and retired keys load as verify-only', async () => {
    await manager({ encryptionKey: otherKek }).ensureCurrent('EdDSA')
    await manager({ encryptionKey: otherKek }).generate('EdDSA')
    await manager({ encryptionKey: otherKek }).rotate()
    // Replace the current key by one under `kek`: the other keys stay under `otherKek`.
    await manager({ encryptionKey: kek }).generate('EdDSA')
    const listed = await store.list()
    const nextUnderKek = listed.find(
      (key) => key.status === 'next' && key.privateKey.includes(`.${kek.id}.`),
    )
    const current = listed.find((key) => key.status === 'current')
    if (!nextUnderKek || !current) throw new Error('setup failed')
    await store.rotate({
      expectedCurrentKid: current.kid,
      nextKid: nextUnderKek.kid,
      at: now,
      verifyUntil: now + 10,
    })
    const loaded = await manager({ encryptionKey: kek }).loadSigningKeys()
    expect(loaded.filter((key) => key.signingKey !== undefined).map((key) => key.kid)).toEqual([
      nextUnderKek.kid,
    ])
    expect(loaded.map((key) => key.status).sort()).toEqual([
      'current',
      'next',
      'retired',
      'retired',
    ])
  })

  it('still loads plain keys once a KEK is set, and encryptStoredKeys seals them', async () => {
    await manager().ensureCurrent('EdDSA')
    await manager().generate('EdDSA')
    expect((await ring(manager({ encryptionKey: kek }))).current.signingKey).toBeDefined()
    await expect(manager().encryptStoredKeys()).rejects.toThrow(/KEY_ENCRYPTION_KEY/)
    expect(await manager({ encryptionKey: kek }).encryptStoredKeys()).toBe(2)
    expect(await manager({ encryptionKey: kek }).encryptStoredKeys()).toBe(0)
    expect((await manager().list()).every((key) => key.encrypted)).toBe(true)
    expect((await ring(manager({ encryptionKey: kek }))).current.signingKey).toBeDefined()
    await expect(manager().loadSigningKeys()).rejects.toThrow(KeyDecryptionError)
  })
})
