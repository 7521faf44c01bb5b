import { join } from 'node:path'
import {
  createTokenEngine,
  InProcessRevocationBus,
  type KeyRing,
  type Stores,
  type TokenEngine,
} from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'
import { KEY_PREPUBLISH, keyRetention } from '../../src/keys/key-ring-timing.js'
import { openServerKeyRing, type ServerKeyRing } from '../../src/keys/server-key-ring.js'
import { loadServerSettings } from '../../src/settings/load-server-settings.js'
import { openStores } from '../../src/stores/open-stores.js'
import { useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()
const T0 = 1_800_000_000
const HOUR = 3600
const opened: { close(): unknown }[] = []

afterEach(async () => {
  for (const item of opened.splice(0).reverse()) await item.close()
})

/** A frozen clock the test moves by hand. */
function frozenClock() {
  let now = T0
  return {
    now: () => now,
    advance: (seconds: number) => {
      now += seconds
    },
  }
}

const jwksKids = (ring: KeyRing, now: number) => ring.toJwks(now).keys.map((key) => key.kid)
const kidOf = (token: string) =>
  (JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string })
    .kid

describe('key rotation on a frozen clock, two instances sharing one SQLite file and a bus', () => {
  it('pre-publishes, rotates once, keeps old tokens valid until expiry + leeway, then drops the key', async () => {
    const clock = frozenClock()
    const dataDir = join(tempDir(), 'data')
    const settings = loadServerSettings({
      env: {
        TESSERA_ALGORITHM: 'ES256',
        TESSERA_DATA_DIR: dataDir,
        TESSERA_KEY_ROTATION_INTERVAL: '1d',
        TESSERA_ACCESS_TOKEN_LIFETIME: '5m',
        TESSERA_REFRESH_TOKEN_LIFETIME: '2h',
        TESSERA_LEEWAY: '30',
      },
      configFile: false,
    })
    const bus = new InProcessRevocationBus()
    opened.push(bus)
    // Two instances: each its own connection to the file, its own ring and token engine.
    const start = async () => {
      const stores: Stores = await openStores({ kind: 'sqlite', path: join(dataDir, 'db') })
      opened.push(stores)
      let engine: TokenEngine<{ id: string }> | undefined
      const keys: ServerKeyRing = await openServerKeyRing(stores, settings, {
        bus,
        clock: clock.now,
        timers: false,
        onChange: (ring) => engine?.useKeyRing(ring),
      })
      opened.push(keys)
      engine = createTokenEngine<{ id: string }>(settings, { keyRing: keys.ring, clock: clock.now })
      return { keys, engine }
    }
    const a = await start()
    const b = await start()
    // Exactly one first key, whichever instance started first.
    expect(b.keys.ring.current.kid).toBe(a.keys.ring.current.kid)
    const first = a.keys.ring.current.kid

    // The first timer step publishes a next key; it does not sign yet.
    expect(await a.keys.tick()).toBe(false)
    await b.keys.reload()
    const next = a.keys.ring.keys.find((key) => key.status === 'next')?.kid
    expect(next).toBeDefined()
    expect(jwksKids(b.keys.ring, clock.now())).toEqual(expect.arrayContaining([first, next]))
    expect(kidOf(a.engine.issuer.issueTokenPair({ id: '7' }).access.token)).toBe(first)

    // A minute before the rotation is due, a token pair is signed with the first key.
    clock.advance(86_400 - 60)
    const late = a.engine.issuer.issueTokenPair({ id: '7' })
    expect(kidOf(late.refresh.token)).toBe(first)
    expect(await a.keys.tick()).toBe(false)

    // Due: both instances try, one rotates, and both sign with the key that had been in
    // JWKS for a day (far longer than the pre-publication period).
    clock.advance(60)
    // One after the other: two connections of one thread must not wait on each other's SQLite
    // lock (see createSqliteStores); the race itself is the store suites' exact-one tests.
    const outcomes = [await a.keys.tick(), await b.keys.tick()]
    expect(outcomes).toEqual([true, false])
    expect(86_400 - 60).toBeGreaterThan(KEY_PREPUBLISH)
    for (const instance of [a, b]) {
      expect(instance.keys.ring.current.kid).toBe(next)
      expect(kidOf(instance.engine.issuer.issueTokenPair({ id: '7' }).access.token)).toBe(next)
    }
    const rotatedAt = clock.now()
    const verifyUntil = rotatedAt + keyRetention(settings)
    expect(keyRetention(settings)).toBe(2 * HOUR + 30)

    // The token signed before the rotation works on both instances until its expiry + leeway
    // (RFC 7519: the time must be before `exp`, here `exp + leeway`).
    const lateExpiry = (late.refresh.claims.exp as number) + 30
    clock.advance(lateExpiry - 1 - clock.now())
    for (const instance of [a, b]) {
      const result = instance.engine.verifier.verify(late.refresh.token, 'refresh')
      expect(result.ok ? 'accepted' : result.error.code).toBe('accepted')
    }
    clock.advance(1)
    const expired = a.engine.verifier.verify(late.refresh.token, 'refresh')
    expect(expired.ok ? 'accepted' : expired.error.code).toBe('token_expired')

    // The retired key stays in JWKS until its verifyUntil, then leaves it on time...
    clock.advance(verifyUntil - clock.now())
    expect(jwksKids(a.keys.ring, clock.now())).toContain(first)
    clock.advance(1)
    expect(jwksKids(a.keys.ring, clock.now())).not.toContain(first)
    expect(jwksKids(b.keys.ring, clock.now())).not.toContain(first)
    // ...and the next timer step deletes it from the store.
    await a.keys.tick()
    const kids = (await a.keys.manager?.list())?.map((key) => key.kid)
    expect(kids).not.toContain(first)
    expect(kids).toContain(next)
  })

  it('tells the other instance of a rotation over the bus, without waiting for its poll', async () => {
    const clock = frozenClock()
    const dataDir = join(tempDir(), 'data')
    const settings = loadServerSettings({
      env: { TESSERA_ALGORITHM: 'EdDSA', TESSERA_DATA_DIR: dataDir },
      configFile: false,
    })
    const bus = new InProcessRevocationBus()
    opened.push(bus)
    let heard: (kid: string) => void = () => {}
    const changed = new Promise<string>((resolve) => {
      heard = resolve
    })
    const instances: ServerKeyRing[] = []
    for (let index = 0; index < 2; index += 1) {
      const stores: Stores = await openStores({ kind: 'sqlite', path: join(dataDir, 'db') })
      opened.push(stores)
      const keys = await openServerKeyRing(stores, settings, {
        bus,
        clock: clock.now,
        // No poll: only the bus can tell the second instance.
        timers: false,
        ...(index === 1 ? { onChange: (ring: KeyRing) => heard(ring.current.kid) } : {}),
      })
      opened.push(keys)
      instances.push(keys)
    }
    const [a, b] = instances as [ServerKeyRing, ServerKeyRing]
    const before = b.ring.current.kid
    const result = await a.manager?.rotate()
    await bus.publish({ kind: 'keys' })
    expect(await changed).toBe(result?.current.kid)
    expect(b.ring.current.kid).not.toBe(before)
  })
})
