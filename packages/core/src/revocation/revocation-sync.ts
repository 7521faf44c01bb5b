import type {
  RevocationStore,
  RevokedAccessToken,
  RevokedSessions,
} from '../stores/revocation-store.js'
import { type Clock, systemClock } from '../tokens/token-types.js'
import type { RevocationBus } from './revocation-bus.js'
import type { RevocationEvent } from './revocation-event.js'
import type { RevocationView } from './revocation-view.js'

/** Most events kept for a resend while the bus is down; older ones rely on the store reads. */
const MAX_UNPUBLISHED = 10_000

/** Options of {@link createRevocationSync}. All durations in seconds. */
export interface RevocationSyncOptions {
  readonly view: RevocationView
  readonly store: RevocationStore
  readonly bus: RevocationBus
  /** Epoch seconds; default {@link systemClock}. Use the view's clock. */
  readonly clock?: Clock
  /**
   * Subtracted from the time of the last complete read before asking the store what changed
   * since (default 5): covers clock skew between writers and this process, and writes that
   * committed after a read began.
   */
  readonly skewMarginSeconds?: number
  /**
   * Every this many seconds, re-read what changed in the store and sweep expired jtis
   * (default 30; 0 turns it off). Catches events a healthy bus dropped (Redis pub/sub is
   * at-most-once; a publish can fail after the store write): such a revocation is honoured at
   * most this late.
   */
  readonly reconcileIntervalSeconds?: number
  /** Wait before retrying a failed catch-up read (default 1). */
  readonly retrySeconds?: number
  /** Reports background failures (catch-up reads, reconciliation, publishing); default: ignore. */
  readonly onError?: (error: unknown) => void
}

/** What {@link createRevocationSync} returns. */
export interface RevocationSync {
  /**
   * Records the revocation in the store first (a store failure rejects and nothing is
   * published), applies it to this process's view, then publishes it. A publish failure does
   * not reject, the revocation being durable: it goes to `onError` and the event is sent again
   * once the bus is up (processes that noticed the outage read it from the store anyway, the
   * others get it from that resend or reconciliation). Idempotent.
   */
  revokeAccessToken(entry: RevokedAccessToken): Promise<void>
  /** Same order for sessions (at most `MAX_SESSIONS_PER_EVENT` ids: the caller splits). */
  revokeSessions(entry: RevokedSessions): Promise<void>
  /** Same order for a cut-off; resolves to the effective cut-off (it never moves back). */
  setCutoff(userId: string, notBefore: number): Promise<number>
  /**
   * Tells every process that the user's row changed (nothing is stored): this process's
   * listeners at once, the others through the bus. Never rejects.
   */
  userChanged(userId: string): Promise<void>
  /**
   * Calls `listener` with the id of every user changed, here ({@link userChanged}) or on another
   * process (a bus event): what user caches listen to.
   */
  onUserChange(listener: (userId: string) => void): void
  /** Re-reads the store's changes now (what the timer does). */
  reconcile(): Promise<void>
  /** Stops the timers; leaves the view, store and bus to their owners. */
  close(): void
}

/**
 * Keeps a {@link RevocationView} in step with the store and a bus: subscribes, loads every live
 * revocation, then applies bus events. When the bus goes down the view is marked unsure (it
 * refuses everything after its grace); when it comes back the sync reads what changed since its
 * last complete read (the initial load, the last catch-up or reconciliation, whichever is
 * latest), minus the skew margin, and only then marks the view sure, unless the bus went down
 * again meanwhile. Not since the moment the bus went down: events published before then may
 * never have arrived (a backlog the broken connection dropped). A failed read leaves the view
 * unsure and is retried.
 *
 * Resolves once the initial load succeeded (rejects if the store cannot be read).
 *
 * @example
 * const view = new RevocationView()
 * const sync = await createRevocationSync({ view, store: stores.revocations, bus })
 * await sync.setCutoff(user.id, Math.floor(Date.now() / 1000))
 */
export async function createRevocationSync(
  options: RevocationSyncOptions,
): Promise<RevocationSync> {
  const { view, store, bus } = options
  const clock = options.clock ?? systemClock
  const skew = options.skewMarginSeconds ?? 5
  const reconcileInterval = options.reconcileIntervalSeconds ?? 30
  const retrySeconds = options.retrySeconds ?? 1
  const onError = options.onError ?? (() => {})

  /** Since when the view may have missed events; -Infinity: it needs a full load. */
  let missingSince: number | undefined = Number.NEGATIVE_INFINITY
  /** Bumped on every `down`: a catch-up that started before it must not mark the view sure. */
  let generation = 0
  let catchingUp: Promise<void> | undefined
  let retryTimer: NodeJS.Timeout | undefined
  let lastReconcile = clock()
  let closed = false
  /** Events whose publish failed, resent when the bus is up; bounded, oldest dropped first. */
  const unpublished: RevocationEvent[] = []
  const userListeners: ((userId: string) => void)[] = []

  function notifyUserChange(userId: string): void {
    for (const listener of userListeners) {
      try {
        listener(userId)
      } catch (error) {
        onError(error)
      }
    }
  }

  view.markUnsure(Number.NEGATIVE_INFINITY)
  bus.subscribe((event) => {
    if (event.kind === 'user') notifyUserChange(event.userId)
    else view.apply(event)
  })
  bus.on('down', () => {
    generation++
    const since = clock()
    if (missingSince === undefined || since < missingSince) missingSince = since
    view.markUnsure(missingSince)
  })
  bus.on('up', () => {
    void catchUp().catch(onError)
    resendUnpublished()
  })

  async function publish(event: RevocationEvent): Promise<void> {
    try {
      await bus.publish(event)
    } catch (error) {
      onError(error)
      if (unpublished.push(event) > MAX_UNPUBLISHED) unpublished.shift()
    }
  }

  function resendUnpublished(): void {
    for (const event of unpublished.splice(0)) void publish(event)
  }

  async function readMissing(): Promise<void> {
    const since = missingSince
    if (since === undefined) return
    const started = generation
    const now = clock()
    const changes =
      since === Number.NEGATIVE_INFINITY
        ? await store.loadLive(now)
        : // What the bus carried before it went down may be lost with its backlog: from the
          // last complete read, which holds every change up to it.
          await store.loadChangedSince(Math.min(since, lastReconcile) - skew, now)
    view.merge(changes)
    if (started === generation && bus.connected && missingSince === since) {
      missingSince = undefined
      lastReconcile = now
      view.markSure()
    }
  }

  /** One catch-up at a time; a failure schedules a retry while the bus is up. */
  function catchUp(): Promise<void> {
    if (catchingUp !== undefined) return catchingUp.then(catchUp, catchUp)
    const run = readMissing()
      .catch((error: unknown) => {
        scheduleRetry()
        throw error
      })
      .finally(() => {
        catchingUp = undefined
      })
    catchingUp = run
    return run
  }

  function scheduleRetry(): void {
    if (closed || retryTimer !== undefined) return
    retryTimer = setTimeout(() => {
      retryTimer = undefined
      if (!closed && bus.connected && missingSince !== undefined) catchUp().catch(onError)
    }, retrySeconds * 1000)
    retryTimer.unref()
  }

  async function reconcile(): Promise<void> {
    if (bus.connected) resendUnpublished()
    if (missingSince !== undefined) {
      if (bus.connected) await catchUp()
      return
    }
    const now = clock()
    view.merge(await store.loadChangedSince(lastReconcile - skew, now))
    lastReconcile = now
    view.sweep(now)
  }

  // Subscribed first, loaded second: an event published in between arrives by one path or both.
  if (bus.connected) await catchUp()
  else {
    // Not listening yet: load anyway (the view stays unsure until the bus is up and caught up).
    const now = clock()
    view.merge(await store.loadLive(now))
  }

  const timer =
    reconcileInterval > 0
      ? setInterval(() => {
          reconcile().catch(onError)
        }, reconcileInterval * 1000)
      : undefined
  timer?.unref()

  /** After the store write: this process's view at once, then every other process. */
  function spread(event: RevocationEvent): Promise<void> {
    view.apply(event)
    return publish(event)
  }

  return {
    async revokeAccessToken({ jti, userId, expiresAt }) {
      await store.revokeAccessToken({ jti, userId, expiresAt }, clock())
      await spread({ kind: 'access', jti, userId, expiresAt })
    },
    async revokeSessions({ userId, sessionIds, expiresAt }) {
      if (sessionIds.length === 0) return
      await store.revokeSessions({ userId, sessionIds, expiresAt }, clock())
      await spread({ kind: 'sessions', userId, sessionIds, expiresAt })
    },
    async setCutoff(userId, notBefore) {
      const effective = await store.setCutoff(userId, notBefore, clock())
      await spread({ kind: 'cutoff', userId, notBefore: effective })
      return effective
    },
    async userChanged(userId) {
      notifyUserChange(userId)
      // A lost one costs the other processes at most their cache's TTL: no resend.
      await bus.publish({ kind: 'user', userId }).catch(onError)
    },
    onUserChange(listener) {
      userListeners.push(listener)
    },
    reconcile,
    close() {
      closed = true
      if (timer !== undefined) clearInterval(timer)
      if (retryTimer !== undefined) clearTimeout(retryTimer)
    },
  }
}
