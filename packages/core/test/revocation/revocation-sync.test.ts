import {
  createRevocationSync,
  InProcessRevocationBus,
  type RevocationStore,
  RevocationView,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { frozenClock, ManualBus, T0, token } from './bus-fixture.js'

afterEach(() => {
  vi.useRealTimers()
})

function deferred() {
  let resolve: () => void = () => {}
  const promise = new Promise<void>((r) => {
    resolve = r
  })
  return { promise, resolve }
}

describe('createRevocationSync: two processes, one store, one bus', () => {
  async function twoProcesses() {
    const time = frozenClock()
    const store = createMemoryStores().revocations
    const bus = new InProcessRevocationBus()
    const options = { store, bus, clock: time.clock, reconcileIntervalSeconds: 0 }
    const viewA = new RevocationView({ clock: time.clock })
    const viewB = new RevocationView({ clock: time.clock })
    const a = await createRevocationSync({ ...options, view: viewA })
    const b = await createRevocationSync({ ...options, view: viewB })
    return { time, store, bus, viewA, viewB, a, b }
  }

  it('loads what the store holds at start', async () => {
    const store = createMemoryStores().revocations
    await store.revokeAccessToken({ jti: 'old', userId: 'u1', expiresAt: T0 + 60 }, T0 - 10)
    await store.setCutoff('u2', T0 - 5, T0 - 5)
    const view = new RevocationView({ clock: () => T0 })
    const sync = await createRevocationSync({
      view,
      store,
      bus: new InProcessRevocationBus(),
      clock: () => T0,
    })
    expect(view.sure).toBe(true)
    expect(view.isRevoked(token({ jti: 'old' }))).toBe(true)
    expect(view.isRevoked(token({ jti: 'x', userId: 'u2', iat: T0 - 5 }))).toBe(true)
    expect(view.isRevoked(token({ jti: 'x', userId: 'u2', iat: T0 - 4 }))).toBe(false)
    sync.close()
  })

  it('a logout on A refuses the access token on B', async () => {
    const { viewA, viewB, a, b, store } = await twoProcesses()
    expect(viewB.isRevoked(token())).toBe(false)
    await a.revokeAccessToken({ jti: 'jti-1', userId: 'u1', expiresAt: T0 + 300 })
    expect(viewA.isRevoked(token())).toBe(true)
    expect(viewB.isRevoked(token())).toBe(true)
    expect((await store.loadLive(T0)).accessTokens).toHaveLength(1)
    a.close()
    b.close()
  })

  it('a logout-everywhere on B cuts off earlier tokens on A, never moving back', async () => {
    const { viewA, a, b } = await twoProcesses()
    expect(await b.setCutoff('u1', T0 + 10)).toBe(T0 + 10)
    // A late, smaller cut-off answers the effective one and changes nothing.
    expect(await a.setCutoff('u1', T0)).toBe(T0 + 10)
    expect(viewA.isRevoked(token({ iat: T0 + 10 }))).toBe(true)
    expect(viewA.isRevoked(token({ iat: T0 + 11 }))).toBe(false)
    a.close()
    b.close()
  })
})

describe('createRevocationSync: store first, then publish', () => {
  it('a store failure rejects and publishes nothing', async () => {
    const stores = createMemoryStores()
    const failing: RevocationStore = {
      ...stores.revocations,
      revokeAccessToken: async () => {
        throw new Error('database down')
      },
      setCutoff: async () => {
        throw new Error('database down')
      },
    }
    const bus = new ManualBus()
    const view = new RevocationView({ clock: () => T0 })
    const sync = await createRevocationSync({ view, store: failing, bus, clock: () => T0 })
    await expect(
      sync.revokeAccessToken({ jti: 'j', userId: 'u1', expiresAt: T0 + 60 }),
    ).rejects.toThrow('database down')
    await expect(sync.setCutoff('u1', T0)).rejects.toThrow('database down')
    expect(bus.published).toEqual([])
    sync.close()
  })

  it('a publish failure resolves (the revocation is durable), is reported, and is resent on up', async () => {
    const store = createMemoryStores().revocations
    const bus = new ManualBus()
    const view = new RevocationView({ clock: () => T0 })
    const errors: unknown[] = []
    const sync = await createRevocationSync({
      view,
      store,
      bus,
      clock: () => T0,
      onError: (error) => errors.push(error),
    })
    bus.failPublish = true
    await sync.revokeAccessToken({ jti: 'jti-1', userId: 'u1', expiresAt: T0 + 60 })
    await sync.setCutoff('u2', T0)
    expect(view.isRevoked(token())).toBe(true)
    expect((await store.loadLive(T0)).accessTokens).toHaveLength(1)
    expect(errors.map((error) => (error as Error).message)).toEqual([
      'publish failed',
      'publish failed',
    ])
    expect(bus.published).toEqual([])

    bus.failPublish = false
    bus.goDown()
    bus.goUp()
    await vi.waitFor(() => expect(bus.published).toHaveLength(2))
    expect(bus.published).toEqual([
      { kind: 'access', jti: 'jti-1', userId: 'u1', expiresAt: T0 + 60 },
      { kind: 'cutoff', userId: 'u2', notBefore: T0 },
    ])
    sync.close()
  })
})

describe('createRevocationSync: fail-closed while the bus is down', () => {
  async function setup(graceSeconds = 2) {
    const time = frozenClock()
    const store = createMemoryStores().revocations
    const bus = new ManualBus()
    const view = new RevocationView({ clock: time.clock, graceSeconds })
    const sync = await createRevocationSync({
      view,
      store,
      bus,
      clock: time.clock,
      skewMarginSeconds: 1,
      reconcileIntervalSeconds: 0,
    })
    return { time, store, bus, view, sync }
  }

  it('accepts within the grace, refuses everything after it, and catches up on up', async () => {
    const { time, store, bus, view, sync } = await setup()
    time.set(T0 + 100)
    bus.goDown()
    expect(view.sure).toBe(false)
    // Another instance revokes while this one cannot hear: the event is lost, the row is not.
    await store.revokeAccessToken({ jti: 'jti-1', userId: 'u1', expiresAt: T0 + 300 }, T0 + 100.5)
    await store.setCutoff('u2', T0 + 100, T0 + 100.5)
    time.set(T0 + 101)
    // Within the grace: a missed revocation can still pass (the documented bound).
    expect(view.isRevoked(token())).toBe(false)
    expect(view.failingClosed).toBe(false)
    time.set(T0 + 102.5)
    expect(view.isRevoked(token())).toBe(true)
    expect(view.failingClosed).toBe(true)
    expect(view.isRevoked(token({ jti: 'unrelated', userId: 'u3', iat: T0 + 102 }))).toBe(true)
    bus.goUp()
    await vi.waitFor(() => expect(view.sure).toBe(true))
    expect(view.isRevoked(token())).toBe(true)
    expect(view.isRevoked(token({ jti: 'x', userId: 'u2', iat: T0 + 100 }))).toBe(true)
    expect(view.isRevoked(token({ jti: 'unrelated', userId: 'u3', iat: T0 + 102 }))).toBe(false)
    sync.close()
  })

  it('stays unsure when the bus goes down again during the catch-up read', async () => {
    const { time, store, bus, view, sync } = await setup()
    const gate = deferred()
    const original = store.loadChangedSince.bind(store)
    let reads = 0
    store.loadChangedSince = async (since, now) => {
      reads++
      if (reads === 1) await gate.promise
      return original(since, now)
    }
    time.set(T0 + 10)
    bus.goDown()
    time.set(T0 + 20)
    bus.goUp()
    bus.goDown()
    gate.resolve()
    await vi.waitFor(() => expect(reads).toBe(1))
    await new Promise((resolve) => setImmediate(resolve))
    expect(view.sure).toBe(false)
    expect(view.unsureSince).toBe(T0 + 10)
    bus.goUp()
    await vi.waitFor(() => expect(view.sure).toBe(true))
    sync.close()
  })

  it('reads changes since its last complete read minus the skew margin', async () => {
    const { time, store, bus, view, sync } = await setup()
    const calls: number[] = []
    const original = store.loadChangedSince.bind(store)
    store.loadChangedSince = async (since, now) => {
      calls.push(since)
      return original(since, now)
    }
    time.set(T0 + 30)
    await sync.reconcile()
    time.set(T0 + 50)
    bus.goDown()
    time.set(T0 + 60)
    bus.goUp()
    await vi.waitFor(() => expect(view.sure).toBe(true))
    // The reconciliation read from the initial load (T0), the catch-up from that reconciliation.
    expect(calls).toEqual([T0 - 1, T0 + 29])
    sync.close()
  })

  it('finds a revocation whose event was still in the lost backlog when the bus went down', async () => {
    const { time, store, bus, view, sync } = await setup()
    // Written and published at T0 + 10, but this instance's connection was backlogged: the
    // event never arrives, and the bus notices the broken connection only 20 s later.
    await store.revokeAccessToken({ jti: 'jti-1', userId: 'u1', expiresAt: T0 + 300 }, T0 + 10)
    time.set(T0 + 30)
    bus.goDown()
    time.set(T0 + 31)
    bus.goUp()
    await vi.waitFor(() => expect(view.sure).toBe(true))
    expect(view.isRevoked(token())).toBe(true)
    sync.close()
  })

  it('retries a failed catch-up read and stays unsure meanwhile', async () => {
    vi.useFakeTimers()
    const { time, store, bus, view, sync } = await setup(0)
    const original = store.loadChangedSince.bind(store)
    let failures = 2
    store.loadChangedSince = async (since, now) => {
      if (failures-- > 0) throw new Error('database down')
      return original(since, now)
    }
    bus.goDown()
    time.advance(1)
    bus.goUp()
    await vi.advanceTimersByTimeAsync(0)
    expect(view.sure).toBe(false)
    expect(view.isRevoked(token())).toBe(true)
    await vi.advanceTimersByTimeAsync(1000)
    expect(view.sure).toBe(false)
    await vi.advanceTimersByTimeAsync(1000)
    expect(view.sure).toBe(true)
    expect(view.isRevoked(token())).toBe(false)
    sync.close()
  })

  it('refuses everything until the bus is up when it starts down', async () => {
    const time = frozenClock()
    const store = createMemoryStores().revocations
    const bus = new ManualBus()
    bus.connected = false
    const view = new RevocationView({ clock: time.clock })
    const sync = await createRevocationSync({ view, store, bus, clock: time.clock })
    expect(view.isRevoked(token())).toBe(true)
    bus.goUp()
    await vi.waitFor(() => expect(view.sure).toBe(true))
    expect(view.isRevoked(token())).toBe(false)
    sync.close()
  })
})

describe('createRevocationSync: reconciliation', () => {
  it('picks up a revocation whose event a healthy bus dropped', async () => {
    const time = frozenClock()
    const store = createMemoryStores().revocations
    const bus = new ManualBus()
    const view = new RevocationView({ clock: time.clock })
    const sync = await createRevocationSync({ view, store, bus, clock: time.clock })
    time.advance(10)
    await store.revokeAccessToken({ jti: 'jti-1', userId: 'u1', expiresAt: T0 + 300 }, T0 + 10)
    expect(view.isRevoked(token())).toBe(false)
    time.advance(20)
    await sync.reconcile()
    expect(view.isRevoked(token())).toBe(true)
    sync.close()
  })
})
