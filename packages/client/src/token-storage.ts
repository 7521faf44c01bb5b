/**
 * What a session keeps between requests. In bearer mode the tokens; in cookie mode only when the
 * access cookie expires (the tokens are HttpOnly cookies no script can read).
 */
export interface StoredSession {
  /** The access token (bearer mode). */
  readonly access?: string
  /** The refresh token (bearer mode). */
  readonly refresh?: string
  /** When the access token expires, epoch milliseconds of this client's clock. */
  readonly accessExpiresAt?: number
  /** How long the access token lives, milliseconds (to refresh a quarter of it early at most). */
  readonly accessLifetime?: number
}

/**
 * Where the client keeps its session. Synchronous, so that every tab reads the same state inside
 * the refresh lock. `memoryStorage()` (the default) keeps it in this page only: safest against
 * XSS persistence, lost on reload. `localStorage` survives reloads and is shared by the tabs;
 * `sessionStorage` survives reloads of one tab.
 */
export interface TokenStorage {
  get(): StoredSession | null
  set(session: StoredSession | null): void
}

/** Keeps the session in this JavaScript context only. */
export function memoryStorage(): TokenStorage {
  let current: StoredSession | null = null
  return {
    get: () => current,
    set: (session) => {
      current = session
    },
  }
}

/** The subset of the Web Storage API the adapters use. */
export interface WebStorageLike {
  getItem(key: string): string | null
  setItem(key: string, value: string): void
  removeItem(key: string): void
}

/**
 * Keeps the session as JSON under `key` of a Web Storage (`localStorage`, `sessionStorage`).
 * Unreadable contents count as no session.
 */
export function webStorage(storage: WebStorageLike, key = 'tessera.session'): TokenStorage {
  return {
    get: () => {
      const text = storage.getItem(key)
      if (text === null) return null
      try {
        const value: unknown = JSON.parse(text)
        return value !== null && typeof value === 'object' ? (value as StoredSession) : null
      } catch {
        return null
      }
    },
    set: (session) => {
      if (session === null) storage.removeItem(key)
      else storage.setItem(key, JSON.stringify(session))
    },
  }
}

/** The page's `localStorage` (shared by its tabs). */
export function localStorageStorage(key?: string): TokenStorage {
  return webStorage(globalThis.localStorage, key)
}

/** The page's `sessionStorage` (one tab). */
export function sessionStorageStorage(key?: string): TokenStorage {
  return webStorage(globalThis.sessionStorage, key)
}
