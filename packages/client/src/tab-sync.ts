/** Why a session ended, as `onSessionEnd` is told. */
export type SessionEndReason =
  /** The refresh token was refused (expired, revoked, reused): sign in again. */
  | 'refresh_failed'
  /** `logout()` or `logoutAll()` ran, in this tab or another one. */
  | 'signed_out'

/** What tabs tell each other. */
export type TabMessage =
  | { readonly type: 'session' }
  | { readonly type: 'ended'; readonly reason: SessionEndReason }

/** The subset of the Web Locks API (`navigator.locks`) the client uses. */
export interface LockManagerLike {
  request<T>(name: string, callback: () => Promise<T>): Promise<T>
}

interface ChannelLike {
  postMessage(message: unknown): void
  close(): void
  onmessage: ((event: { data: unknown }) => void) | null
  unref?: () => void
}

/**
 * How the tabs of one browser share a session: a Web Lock makes one tab at a time refresh (the
 * others then find its result in the shared storage instead of presenting the same, now rotated,
 * refresh token, which reuse detection would punish by ending the session); a BroadcastChannel
 * (or, without one, `storage` events) tells them at once that the session changed or ended.
 * Without Web Locks, refreshes are single-flight within each tab only.
 */
export class TabSync {
  readonly #name: string
  readonly #locks: LockManagerLike | undefined
  readonly #channel: ChannelLike | undefined
  readonly #listeners = new Set<(message: TabMessage) => void>()
  readonly #onStorage: ((event: StorageEvent) => void) | undefined

  constructor(name: string, enabled: boolean, locks?: LockManagerLike) {
    this.#name = name
    this.#locks = enabled ? (locks ?? webLocks()) : undefined
    if (!enabled) return
    if (typeof BroadcastChannel === 'function') {
      const channel = new BroadcastChannel(name) as unknown as ChannelLike
      // In Node a channel would keep the process alive.
      channel.unref?.()
      channel.onmessage = (event) => this.#deliver(event.data)
      this.#channel = channel
    } else if (typeof addEventListener === 'function' && typeof localStorage !== 'undefined') {
      this.#onStorage = (event) => {
        if (event.key === name && event.newValue !== null) this.#deliver(JSON.parse(event.newValue))
      }
      addEventListener('storage', this.#onStorage)
    }
  }

  /** Runs `task` while holding the refresh lock of every tab (or at once, without Web Locks). */
  withLock<T>(task: () => Promise<T>): Promise<T> {
    return this.#locks === undefined ? task() : this.#locks.request(this.#name, task)
  }

  /** Tells the other tabs. */
  post(message: TabMessage): void {
    if (this.#channel !== undefined) this.#channel.postMessage(message)
    else if (this.#onStorage !== undefined) {
      // A fresh value each time: a storage event fires only on change.
      localStorage.setItem(this.#name, JSON.stringify({ ...message, at: Math.random() }))
    }
  }

  /** Listens to the other tabs. */
  onMessage(listener: (message: TabMessage) => void): void {
    this.#listeners.add(listener)
  }

  close(): void {
    this.#channel?.close()
    if (this.#onStorage !== undefined) removeEventListener('storage', this.#onStorage)
    this.#listeners.clear()
  }

  #deliver(data: unknown): void {
    const type = (data as { type?: unknown } | null)?.type
    if (type !== 'session' && type !== 'ended') return
    for (const listener of this.#listeners) listener(data as TabMessage)
  }
}

function webLocks(): LockManagerLike | undefined {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks
  return locks !== undefined && typeof locks.request === 'function' ? locks : undefined
}
