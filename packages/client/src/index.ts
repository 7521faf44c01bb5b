/**
 * @tessera/client: the browser and Node SDK of a Tessera (or simplejwt) API. Zero dependencies,
 * no `node:*` imports: a `fetch` that refreshes on 401, once, for every request and every tab.
 */
export {
  type ErrorBody,
  SessionEndedError,
  TesseraApiError,
} from './client-errors.js'
export type { ClientOptions, ClientPaths, DeviceTokenStore } from './client-options.js'
export { createClient } from './create-client.js'
export type { LockManagerLike, SessionEndReason } from './tab-sync.js'
export type { LoginResult, MfaStep, TesseraClient } from './tessera-client.js'
export {
  localStorageStorage,
  memoryStorage,
  type StoredSession,
  sessionStorageStorage,
  type TokenStorage,
  type WebStorageLike,
  webStorage,
} from './token-storage.js'
