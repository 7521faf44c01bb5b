import {
  createRevocationSync,
  type RevocationBus,
  type RevocationEvent,
  type RevocationStore,
  type RevocationSync,
  RevocationView,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { token } from './bus-fixture.js'

/**
 * What a bus under test offers the suite. Every bus opens several handles that stand for
 * processes; the optional members are what its transport allows, and a bus without one says why.
 */
export interface BusHarness {
  /**
   * Opens the bus of a "process" named `name` (unique within a test; connections carry it, so
   * that {@link interrupt} can find them). Buses opened here are closed by the suite.
   */
  open(name: string): Promise<RevocationBus>
  /** Cuts the connection of the bus named `name`, as a crash or a network fault would. */
  readonly interrupt?: (name: string) => Promise<void>
  /**
   * Sends a raw payload on the bus's channel, as anyone with access to it could; `reported`
   * returns what the buses' `onError` received so far.
   */
  readonly publishRaw?: {
    send(payload: string): Promise<void>
    reported(): unknown[]
  }
  /** Called once after the suite. */
  close?(): Promise<void>
}

/** Why a bus lacks an optional member of {@link BusHarness}: shown in the suite's title. */
export interface BusLimits {
  readonly interrupt?: string
  readonly publishRaw?: string
  /** The harness's handlers run elsewhere than the bus: it checks throwing handlers itself. */
  readonly throwingHandler?: string
}

/** One event of each kind, as a writer publishes them. */
export const EVERY_KIND: readonly RevocationEvent[] = [
  { kind: 'access', jti: 'j1', userId: 'u1', expiresAt: 1_900_000_000 },
  { kind: 'sessions', userId: 'u1', sessionIds: ['s1', 's2'], expiresAt: 1_900_000_305 },
  { kind: 'cutoff', userId: 'u2', notBefore: 1_899_999_999.25 },
  { kind: 'keys' },
  { kind: 'user', userId: 'u3' },
]

/**
 * The revocation bus conformance suite, run against every bus (in-process, node:cluster IPC,
 * Redis pub/sub, PostgreSQL LISTEN/NOTIFY): delivery of every kind of event to every subscriber
 * (the publisher's own included), a session revocation reaching another process's view, closing,
 * and, where the transport allows, malformed payloads and the down / catch-up / up scenario.
 */
export function describeBusConformance(
  name: string,
  makeHarness: () => Promise<BusHarness>,
  limits: BusLimits = {},
): void {
  const notes = Object.entries(limits).map(([what, why]) => `no ${what}: ${why}`)
  const title = notes.length === 0 ? name : `${name} (${notes.join('; ')})`
  describe(`revocation bus conformance: ${title}`, () => {
    let harness: BusHarness | undefined
    const buses: RevocationBus[] = []
    const syncs: RevocationSync[] = []
    let count = 0

    afterEach(async () => {
      for (const sync of syncs.splice(0)) sync.close()
      for (const bus of buses.splice(0)) await bus.close()
      await harness?.close?.()
      harness = undefined
    })

    async function open(): Promise<{ bus: RevocationBus; name: string }> {
      harness ??= await makeHarness()
      const busName = `tessera_bus_${process.pid}_${count++}`
      const bus = await harness.open(busName)
      buses.push(bus)
      return { bus, name: busName }
    }

    function received(bus: RevocationBus): RevocationEvent[] {
      const events: RevocationEvent[] = []
      bus.subscribe((event) => events.push(event))
      return events
    }

    async function sync(bus: RevocationBus, store: RevocationStore, view = new RevocationView()) {
      const started = await createRevocationSync({
        view,
        store,
        bus,
        reconcileIntervalSeconds: 0,
        retrySeconds: 0.05,
      })
      syncs.push(started)
      return started
    }

    it('delivers every kind of event, intact and in order, to every process, the publisher too', async () => {
      const a = await open()
      const b = await open()
      expect(a.bus.connected && b.bus.connected).toBe(true)
      const atA = received(a.bus)
      const atB = received(b.bus)
      for (const event of EVERY_KIND) await a.bus.publish(event)
      await vi.waitFor(() => expect(atB).toEqual(EVERY_KIND))
      await vi.waitFor(() => expect(atA).toEqual(EVERY_KIND))
    })

    it("a session revoked on A is refused by B's view; a user change reaches B's listeners", async () => {
      const store = createMemoryStores().revocations
      const a = await open()
      const b = await open()
      const viewB = new RevocationView()
      const syncA = await sync(a.bus, store)
      const syncB = await sync(b.bus, store, viewB)
      const now = Math.floor(Date.now() / 1000)
      const session = token({ jti: 'x', sessionId: 'phone', iat: now, exp: now + 300 })
      expect(viewB.isRevoked(session)).toBe(false)
      const changed: string[] = []
      syncB.onUserChange((id) => changed.push(id))
      await syncA.revokeSessions({ userId: 'u1', sessionIds: ['phone'], expiresAt: now + 305 })
      await syncA.userChanged('u1')
      await vi.waitFor(() => expect(viewB.isRevoked(session)).toBe(true))
      await vi.waitFor(() => expect(changed).toEqual(['u1']))
      expect(viewB.isRevoked(token({ jti: 'y', sessionId: 'laptop', iat: now }))).toBe(false)
    })

    if (limits.throwingHandler === undefined)
      it('keeps delivering to the other handlers when one throws', async () => {
        const a = await open()
        const b = await open()
        b.bus.subscribe(() => {
          throw new Error('handler bug')
        })
        const atB = received(b.bus)
        await a.bus.publish({ kind: 'keys' })
        await a.bus.publish({ kind: 'user', userId: 'u1' })
        await vi.waitFor(() =>
          expect(atB).toEqual([{ kind: 'keys' }, { kind: 'user', userId: 'u1' }]),
        )
      })

    it('delivers nothing to a closed bus, and stays quiet for the others', async () => {
      const a = await open()
      const b = await open()
      const atB = received(b.bus)
      const atA = received(a.bus)
      await b.bus.close()
      await a.bus.publish({ kind: 'keys' })
      await vi.waitFor(() => expect(atA).toEqual([{ kind: 'keys' }]))
      // A round trip more on A: anything in flight for B would have landed by now.
      await a.bus.publish({ kind: 'user', userId: 'u9' })
      await vi.waitFor(() => expect(atA).toHaveLength(2))
      expect(atB).toEqual([])
    })

    if (limits.publishRaw === undefined) {
      it('drops and reports malformed payloads, and delivers the next good event', async () => {
        const b = await open()
        const atB = received(b.bus)
        const raw = (harness as BusHarness).publishRaw as NonNullable<BusHarness['publishRaw']>
        const payloads = [
          'not json',
          '{"kind":"access"}',
          '{"kind":"sessions","userId":"u1","sessionIds":[],"expiresAt":1}',
          `{"kind":"sessions","userId":"u1","sessionIds":${JSON.stringify(Array(101).fill('s'))},"expiresAt":1}`,
          '{"kind":"cutoff","userId":"u1","notBefore":"soon"}',
          '{"kind":"user"}',
          '{"kind":"drop","userId":"u1"}',
          'null',
        ]
        for (const payload of payloads) await raw.send(payload)
        const good = { kind: 'user', userId: 'u1' } as const
        await raw.send(JSON.stringify(good))
        await vi.waitFor(() => expect(atB).toEqual([good]))
        const malformed = raw.reported().filter((error) => /malformed/.test(String(error)))
        expect(malformed).toHaveLength(payloads.length)
        // The report names the problem, never the payload (it may be anyone's input).
        for (const error of malformed) expect(String(error)).not.toMatch(/not json|drop/)
      })
    }

    if (limits.interrupt === undefined) {
      it('reports down then up when its connection is cut; the view fails closed, then catches up from the store', async () => {
        const store = createMemoryStores().revocations
        const a = await open()
        const b = await open()
        const statuses: string[] = []
        b.bus.on('down', () => statuses.push('down'))
        b.bus.on('up', () => statuses.push('up'))
        const viewB = new RevocationView()
        const syncA = await sync(a.bus, store)
        await sync(b.bus, store, viewB)
        expect(viewB.sure).toBe(true)

        await ((harness as BusHarness).interrupt as (name: string) => Promise<void>)(b.name)
        await vi.waitFor(() => expect(statuses[0]).toBe('down'), { timeout: 10_000 })
        expect(viewB.sure).toBe(false)
        const now = Math.floor(Date.now() / 1000)
        // Written while B cannot hear: B must read them from the store when it is back.
        await syncA.revokeAccessToken({ jti: 'missed', userId: 'u1', expiresAt: now + 300 })
        await syncA.revokeSessions({ userId: 'u1', sessionIds: ['phone'], expiresAt: now + 305 })
        await syncA.setCutoff('u2', now)

        await vi.waitFor(() => expect(statuses).toEqual(['down', 'up']), { timeout: 10_000 })
        await vi.waitFor(() => expect(viewB.sure).toBe(true), { timeout: 10_000 })
        expect(viewB.isRevoked(token({ jti: 'missed', exp: now + 300, iat: now }))).toBe(true)
        expect(viewB.isRevoked(token({ jti: 'p', sessionId: 'phone', iat: now }))).toBe(true)
        expect(viewB.isRevoked(token({ jti: 'other', userId: 'u2', iat: now - 1 }))).toBe(true)
        expect(viewB.isRevoked(token({ jti: 'other', userId: 'u3', iat: now }))).toBe(false)

        // And B hears live events again on its new connection.
        await syncA.revokeSessions({ userId: 'u1', sessionIds: ['laptop'], expiresAt: now + 305 })
        await vi.waitFor(() =>
          expect(viewB.isRevoked(token({ jti: 'l', sessionId: 'laptop', iat: now }))).toBe(true),
        )
      })
    } else {
      it('never reports down while its process lives, through a burst of 500 events', async () => {
        const a = await open()
        const b = await open()
        const statuses: string[] = []
        for (const bus of [a.bus, b.bus]) {
          bus.on('down', () => statuses.push('down'))
          bus.on('up', () => statuses.push('up'))
        }
        const atB = received(b.bus)
        await Promise.all(
          Array.from({ length: 500 }, (_, i) => a.bus.publish({ kind: 'user', userId: `u${i}` })),
        )
        await vi.waitFor(() => expect(atB).toHaveLength(500))
        expect(statuses).toEqual([])
        expect(a.bus.connected && b.bus.connected).toBe(true)
      })
    }
  })
}
