import { hash as argon2Hash } from '@node-rs/argon2'
import {
  PasswordHasher,
  PasswordHasherBusyError,
  type PasswordHasherOptions,
  PasswordTooLongError,
  type PasswordVerifyFormat,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

const small = { memoryCost: 1024, timeCost: 1, parallelism: 1 }
// Real Django 3.2 hashes of 'correct horse' (test/fixtures/django-password-hashes.json).
const pbkdf2 =
  'pbkdf2_sha256$260000$abcdefghijklmnopqrstuv$c0Gs4T06doL7Px9MpUmUrfSiTwF30MbvoG4+XGm+zkQ='
const bcrypt = 'bcrypt$$2b$12$bs8HNQ23rCs5kTptA3K6y.TsX33NhOauz4eNNgCgARVZ9RDihv4.O'

function counting(options: PasswordHasherOptions = {}) {
  const calls: PasswordVerifyFormat[] = []
  const hasher = new PasswordHasher({
    argon2: small,
    ...options,
    onVerify: (format) => calls.push(format),
  })
  return { hasher, calls }
}

describe('PasswordHasher.hash', () => {
  it('writes argon2id at the default parameters in Django encoding', async () => {
    const hasher = new PasswordHasher()
    const encoded = await hasher.hash('correct horse battery')
    expect(encoded).toMatch(/^argon2\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$/)
    expect(await hasher.verify('correct horse battery', encoded)).toEqual({
      ok: true,
      needsRehash: false,
    })
    expect(await hasher.verify('correct horse batterY', encoded)).toEqual({
      ok: false,
      needsRehash: false,
    })
  })

  it('salts every hash', async () => {
    const hasher = new PasswordHasher({ argon2: small })
    expect(await hasher.hash('same password')).not.toBe(await hasher.hash('same password'))
  })

  it('accepts 1024 UTF-8 bytes and refuses 1025 without truncating', async () => {
    const hasher = new PasswordHasher({ argon2: small })
    const longest = 'é'.repeat(512)
    const encoded = await hasher.hash(longest)
    expect((await hasher.verify(longest, encoded)).ok).toBe(true)
    const error = await hasher.hash(`${longest}a`).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(PasswordTooLongError)
    expect(error).toMatchObject({ code: 'validation_failed' })
    // A too-long password never verifies, even against a hash of its 1024-byte prefix.
    expect(await hasher.verify(`${longest}a`, encoded)).toEqual({ ok: false, needsRehash: false })
  })

  it('refuses bad options with a TypeError naming them', () => {
    expect(() => new PasswordHasher({ maxConcurrent: 0 })).toThrow(/maxConcurrent/)
    expect(() => new PasswordHasher({ maxQueue: -1 })).toThrow(TypeError)
    expect(() => new PasswordHasher({ maxWaitMs: 60_001 })).toThrow(/maxWaitMs/)
    expect(() => new PasswordHasher({ maxWaitMs: 0.5 })).toThrow(/maxWaitMs/)
    expect(() => new PasswordHasher({ argon2: { memoryCost: 4 } })).toThrow(/argon2\.memoryCost/)
    expect(() => new PasswordHasher({ argon2: { timeCost: 1.5 } })).toThrow(/argon2\.timeCost/)
  })
})

describe('PasswordHasher.verify', () => {
  it('asks for a rehash when argon2id parameters changed', async () => {
    const old = new PasswordHasher({ argon2: small })
    const current = new PasswordHasher({ argon2: { ...small, memoryCost: 2048 } })
    const encoded = await old.hash('correct horse')
    expect(await current.verify('correct horse', encoded)).toEqual({ ok: true, needsRehash: true })
  })

  it('reads argon2i, with and without a version field', async () => {
    const hasher = new PasswordHasher({ argon2: small })
    const v13 = await argon2Hash('correct horse', { ...small, algorithm: 1 })
    expect(v13).toMatch(/^\$argon2i\$v=19\$/)
    const v10 = await argon2Hash('correct horse', { ...small, algorithm: 1, version: 0 })
    // Old argon2-cffi wrote version 0x10 hashes without `v=`.
    const legacy = v10.replace('$v=16$', '$')
    for (const phc of [v13, legacy]) {
      expect(await hasher.verify('correct horse', `argon2${phc}`)).toEqual({
        ok: true,
        needsRehash: true,
      })
      expect((await hasher.verify('correct horsE', `argon2${phc}`)).ok).toBe(false)
    }
  })

  it('does not block the event loop while hashing', async () => {
    const hasher = new PasswordHasher({ argon2: small })
    let turns = 0
    let pending = true
    const spin = (): void => {
      turns++
      if (pending) setImmediate(spin)
    }
    setImmediate(spin)
    const result = await hasher.verify('correct horse', pbkdf2)
    pending = false
    expect(result.ok).toBe(true)
    expect(turns).toBeGreaterThan(1)
  })
})

describe('one hash computation on every verify path', () => {
  const absurd = {
    'pbkdf2 iterations > 10M':
      'pbkdf2_sha256$10000001$abcdefghijklmnopqrstuv$c0Gs4T06doL7Px9MpUmUrfSiTwF30MbvoG4+XGm+zkQ=',
    'scrypt N = 2^21': `scrypt$2097152$abcdefghijklmnopqrstuv$8$1$${'A'.repeat(86)}==`,
    'bcrypt cost 17': bcrypt.replace('$12$', '$17$'),
    'argon2 m = 2 GiB':
      'argon2$argon2id$v=19$m=2097152,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA',
  }

  const dummyCases: Array<[string, string, string | null]> = [
    ['an unknown user (null)', 'correct horse', null],
    ['an unusable password', 'correct horse', '!WOIkLT3PdwUUcKUwMUCo243mMGwBs9noWn07aoya'],
    ['an empty hash', 'correct horse', ''],
    // Django's CryptPasswordHasher (the platform's crypt(3)) is the one format Tessera cannot read.
    ['an unknown format', 'correct horse', 'crypt$$ab1Hv2Lg7ltQo'],
    ['a malformed pbkdf2 hash', 'correct horse', 'pbkdf2_sha256$260000$salt'],
    ['a malformed argon2 hash', 'correct horse', 'argon2$argon2id$v=19$m=1024,t=1,p=1$@@$@@'],
    ['a too-long password', 'x'.repeat(1025), pbkdf2],
    ['a non-canonical iteration count', 'correct horse', pbkdf2.replace('$260000$', '$0260000$')],
    ...Object.entries(absurd).map(([name, encoded]): [string, string, string] => [
      name,
      'correct horse',
      encoded,
    ]),
  ]

  it.each(dummyCases)('%s runs the dummy verify once', async (_, password, encoded) => {
    const { hasher, calls } = counting()
    expect(await hasher.verify(password, encoded)).toEqual({
      ok: false,
      needsRehash: false,
    })
    expect(calls).toEqual(['dummy'])
  })

  it.each([
    ['pbkdf2_sha256', pbkdf2],
    ['bcrypt', bcrypt],
  ])('a wrong and a right password against %s verify once each', async (format, encoded) => {
    const { hasher, calls } = counting()
    expect((await hasher.verify('wrong horse', encoded)).ok).toBe(false)
    expect(calls).toEqual([format])
    expect((await hasher.verify('correct horse', encoded)).ok).toBe(true)
    expect(calls).toEqual([format, format])
  })

  it('a wrong password against argon2id verifies once', async () => {
    const { hasher, calls } = counting()
    const encoded = await hasher.hash('correct horse')
    expect(calls).toEqual([])
    expect((await hasher.verify('wrong horse', encoded)).ok).toBe(false)
    expect(calls).toEqual(['argon2id'])
  })

  it('concurrent first dummy verifies each count once', async () => {
    const { hasher, calls } = counting({ maxConcurrent: 4 })
    await Promise.all([1, 2, 3, 4].map(() => hasher.verify('correct horse', null)))
    expect(calls).toEqual(['dummy', 'dummy', 'dummy', 'dummy'])
  })
})

describe('overload', () => {
  it('runs maxConcurrent, queues maxQueue and sheds the rest with 503', async () => {
    const { hasher, calls } = counting({ maxConcurrent: 1, maxQueue: 1, maxWaitMs: 0 })
    expect(hasher.busy).toBe(false)
    const running = [1, 2].map(() => hasher.verify('correct horse', pbkdf2))
    // One running, one queued: the next would be refused, which `busy` tells beforehand.
    expect(hasher.busy).toBe(true)
    const results = await Promise.allSettled([
      ...running,
      ...[3, 4, 5].map(() => hasher.verify('correct horse', pbkdf2)),
    ])
    expect(hasher.busy).toBe(false)
    const fulfilled = results.filter((result) => result.status === 'fulfilled')
    const rejected = results.flatMap((result) =>
      result.status === 'rejected' ? [result.reason as unknown] : [],
    )
    expect(fulfilled).toHaveLength(2)
    expect(rejected).toHaveLength(3)
    for (const reason of rejected) {
      expect(reason).toBeInstanceOf(PasswordHasherBusyError)
      expect(reason).toMatchObject({ code: 'service_unavailable', retryAfterSeconds: 1 })
    }
    // Shed requests cost nothing: only the two admitted ones hashed.
    expect(calls).toEqual(['pbkdf2_sha256', 'pbkdf2_sha256'])
  })

  it('serves the queue in FIFO order and frees slots for later calls', async () => {
    const { hasher } = counting({ maxConcurrent: 1, maxQueue: 5 })
    const order: number[] = []
    await Promise.all(
      [0, 1, 2, 3, 4, 5].map((index) =>
        hasher.verify('correct horse', index % 2 ? pbkdf2 : null).then(() => order.push(index)),
      ),
    )
    // The thread takes the first two at once (it holds its next job), and they may reach it in
    // either order; the queue behind them is served first come, first served.
    expect(order.slice(0, 2).sort()).toEqual([0, 1])
    expect(order.slice(2)).toEqual([2, 3, 4, 5])
    expect((await hasher.verify('correct horse', pbkdf2)).ok).toBe(true)
  })

  it('hash() shares the same bound', async () => {
    const { hasher } = counting({ maxConcurrent: 1, maxQueue: 0, maxWaitMs: 0 })
    const results = await Promise.allSettled([hasher.hash('one password'), hasher.hash('two')])
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected'])
  })

  it('a call finding the hasher full waits up to maxWaitMs for room', async () => {
    // A wait far longer than the first job: it runs at the lowest CPU priority, so while both
    // cores are busy (the other test worker, another run) it takes seconds, not 0.2 s.
    const { hasher, calls } = counting({ maxConcurrent: 1, maxQueue: 0, maxWaitMs: 20_000 })
    const running = hasher.verify('correct horse', pbkdf2)
    expect(hasher.busy).toBe(true)
    const waiting = hasher.waitForRoom()
    // Neither refused: the second waits for the first.
    const results = await Promise.all([running, hasher.verify('correct horse', pbkdf2)])
    expect(await waiting).toBe(true)
    expect(results.map((result) => result.ok)).toEqual([true, true])
    expect(calls).toEqual(['pbkdf2_sha256', 'pbkdf2_sha256'])
  })

  it('refuses after maxWaitMs when no room frees up', async () => {
    const slow = { memoryCost: 65_536, timeCost: 10, parallelism: 1 }
    const hasher = new PasswordHasher({
      argon2: slow,
      maxConcurrent: 1,
      maxQueue: 0,
      maxWaitMs: 10,
    })
    const running = hasher.hash('a password')
    expect(await hasher.waitForRoom()).toBe(false)
    await expect(hasher.verify('correct horse', pbkdf2)).rejects.toBeInstanceOf(
      PasswordHasherBusyError,
    )
    await running
    expect(await hasher.waitForRoom()).toBe(true)
  })
})
