import type { RevocationBus } from '../revocation/revocation-bus.js'
import { createRevocationSync, type RevocationSync } from '../revocation/revocation-sync.js'
import { RevocationView } from '../revocation/revocation-view.js'
import type { RevocationStore } from '../stores/revocation-store.js'
import type { Clock } from '../tokens/token-types.js'

/**
 * Revocation for a resource server: the issuer's revocation bus (from
 * `@tessera/core/redis-bus` or `@tessera/core/postgres-bus`) feeding a {@link RevocationView},
 * so a logout reaches the service before the access token expires.
 */
export interface ResourceRevocationOptions {
  /** The bus the issuer publishes revocations on. Left open on close (its owner closes it). */
  readonly bus: RevocationBus
  /** The view to feed; default a new one with the verifier's clock and leeway. */
  readonly view?: RevocationView
  /**
   * The issuer's revocation store, read-only here: loads every live revocation at start and
   * catches up after a bus outage (exactly the auth server's guarantees). Without it, the
   * service only knows revocations published while it listened: one made before it started or
   * while its bus was down is missed (bounded by the access-token lifetime).
   */
  readonly store?: RevocationStore
  /** The view's grace after the bus went down (default 0: fail closed at once). */
  readonly graceSeconds?: number
  /** Reports background failures (catch-up reads); default: ignore. */
  readonly onError?: (error: unknown) => void
}

/** A view kept in step with a bus; `ready` settles once it vouches (or failed to load). */
export interface ResourceRevocation {
  readonly view: RevocationView
  readonly ready: Promise<void>
  close(): void
}

/**
 * Wires `options.bus` to a view. The view refuses every access token (503, fail closed) until
 * it vouches for itself: after the store's initial load, or with no store once the bus is
 * connected; and again whenever the bus is down beyond `graceSeconds`.
 */
export function connectResourceRevocation(
  options: ResourceRevocationOptions,
  defaults: { readonly clock: Clock; readonly leeway: number },
): ResourceRevocation {
  const { bus, store } = options
  const view =
    options.view ??
    new RevocationView({
      clock: defaults.clock,
      leewaySeconds: defaults.leeway,
      graceSeconds: options.graceSeconds ?? 0,
    })
  const onError = options.onError ?? (() => {})
  if (store !== undefined) {
    let sync: RevocationSync | undefined
    let closed = false
    const ready = createRevocationSync({ view, store, bus, clock: defaults.clock, onError }).then(
      (started) => {
        sync = started
        if (closed) started.close()
      },
    )
    ready.catch(onError)
    return {
      view,
      ready,
      close() {
        closed = true
        sync?.close()
      },
    }
  }
  view.markUnsure(Number.NEGATIVE_INFINITY)
  bus.subscribe((event) => view.apply(event))
  bus.on('down', () => view.markUnsure(defaults.clock()))
  // Nothing to catch up from: what was published while down is lost (see `store`).
  bus.on('up', () => view.markSure())
  if (bus.connected) view.markSure()
  return { view, ready: Promise.resolve(), close() {} }
}
