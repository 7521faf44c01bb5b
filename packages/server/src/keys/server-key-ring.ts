import {
  type AsymmetricAlgorithm,
  isHmacAlgorithm,
  KeyEncryptionKey,
  KeyManager,
  KeyRing,
  keyRingFromSettings,
  type RevocationBus,
  type Stores,
} from '@tessera/core'
import type { ServerSettings } from '../settings/server-settings.js'
import {
  KEY_PREPUBLISH,
  KEY_RELOAD_SECONDS,
  keyRetention,
  ROTATION_CHECK_SECONDS,
} from './key-ring-timing.js'

/** Options of {@link openServerKeyRing}. */
export interface ServerKeyRingOptions {
  /** Where a rotation is announced and heard (`{ kind: 'keys' }`); optional. */
  readonly bus?: RevocationBus
  /** Reports failed reloads, rotations and announcements (never key material). */
  readonly onError?: (error: unknown) => void
  /** Called with the new ring whenever it changed. */
  readonly onChange?: (ring: KeyRing) => void
  /** Epoch seconds; default the system clock. */
  readonly clock?: () => number
  /** Run the reload poll and the rotation timer (default true; tests drive `reload`/`tick`). */
  readonly timers?: boolean
  /** Seconds between reads of the store's version. Default {@link KEY_RELOAD_SECONDS}. */
  readonly reloadSeconds?: number
}

/** The key ring of a running server, kept in step with the store. */
export interface ServerKeyRing {
  /** The ring now. */
  readonly ring: KeyRing
  /** The store-backed manager, or undefined when keys come from `SIGNING_KEY`. */
  readonly manager: KeyManager | undefined
  /** Re-reads the ring when the store's version changed (or always, with `force`); true if it did. */
  reload(force?: boolean): Promise<boolean>
  /** One rotation-timer step: rotates when due (one instance wins), prunes, reloads, announces. */
  tick(): Promise<boolean>
  /** Stops the timers. */
  close(): void
}

/** The store-backed key manager of `settings`, or undefined when `SIGNING_KEY` provides the keys. */
export function keyManagerFor(
  stores: Stores,
  settings: ServerSettings,
  clock?: () => number,
): KeyManager | undefined {
  if (settings.SIGNING_KEY !== undefined || isHmacAlgorithm(settings.ALGORITHM)) return undefined
  const kek = settings.KEY_ENCRYPTION_KEY
  return new KeyManager({
    store: stores.keys,
    retention: keyRetention(settings),
    ...(clock === undefined ? {} : { clock }),
    ...(kek === undefined ? {} : { encryptionKey: KeyEncryptionKey.parse(kek) }),
  })
}

/**
 * Opens the server's key ring. With `SIGNING_KEY` set (or an HMAC algorithm) it is the fixed
 * ring of the configuration. Otherwise (RS256/ES256/EdDSA, no `SIGNING_KEY`) it lives in the
 * store: the first instance to start generates the current key (exactly one does), every
 * instance re-reads the ring when the bus announces a change and polls the store's version
 * (every 10 s by default; a one-row read), and
 * with `KEY_ROTATION_INTERVAL` every instance asks once a minute whether a rotation is due; the
 * store lets exactly one of them rotate, which then announces it on the bus.
 */
export async function openServerKeyRing(
  stores: Stores,
  settings: ServerSettings,
  options: ServerKeyRingOptions = {},
): Promise<ServerKeyRing> {
  const found = keyManagerFor(stores, settings, options.clock)
  if (found === undefined) {
    const ring = keyRingFromSettings(settings)
    return {
      ring,
      manager: undefined,
      reload: async () => false,
      tick: async () => false,
      close: () => {},
    }
  }
  const manager = found
  const onError = options.onError ?? (() => {})
  await manager.ensureCurrent(settings.ALGORITHM as AsymmetricAlgorithm)
  let version = await manager.version()
  let ring = new KeyRing(await manager.loadSigningKeys())
  let reloading: Promise<boolean> | undefined

  async function load(force: boolean): Promise<boolean> {
    const seen = await manager.version()
    if (!force && seen === version) return false
    const next = new KeyRing(await manager.loadSigningKeys())
    version = seen
    ring = next
    options.onChange?.(next)
    return true
  }
  // Concurrent triggers (bus notice, poll, tick) share one read.
  const reload = (force = false): Promise<boolean> => {
    reloading ??= load(force).finally(() => {
      reloading = undefined
    })
    return reloading
  }

  const interval = settings.KEY_ROTATION_INTERVAL
  async function tick(): Promise<boolean> {
    let rotated = false
    if (interval !== null) {
      rotated = await manager.rotateIfDue({ interval, prePublish: KEY_PREPUBLISH })
    }
    await manager.prune()
    await reload()
    if (rotated) await options.bus?.publish({ kind: 'keys' })
    return rotated
  }

  options.bus?.subscribe((event) => {
    if (event.kind === 'keys') reload().catch(onError)
  })
  const timers: NodeJS.Timeout[] = []
  if (options.timers ?? true) {
    const every = (options.reloadSeconds ?? KEY_RELOAD_SECONDS) * 1000
    timers.push(setInterval(() => reload().catch(onError), every).unref())
    timers.push(setInterval(() => tick().catch(onError), ROTATION_CHECK_SECONDS * 1000).unref())
  }
  return {
    get ring() {
      return ring
    },
    manager,
    reload,
    tick,
    close: () => {
      for (const timer of timers) clearInterval(timer)
    },
  }
}
