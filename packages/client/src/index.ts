/**
 * @tessera/client: the browser and Node SDK of a Tessera (or simplejwt) API. No `node:*`
 * imports: a `fetch` that refreshes on 401, once, for every request and every tab. Its one
 * dependency, `@simplewebauthn/browser`, is loaded only by the passkey calls.
 */
export {
  type ErrorBody,
  SessionEndedError,
  TesseraApiError,
} from './client-errors.js'
export type { ClientOptions, ClientPaths, DeviceTokenStore } from './client-options.js'
export { createClient } from './create-client.js'
export type { LockManagerLike, SessionEndReason } from './tab-sync.js'
export type { LoginResult, MfaStep, PasskeyInfo, TesseraClient } from './tessera-client.js'
export {
  localStorageStorage,
  memoryStorage,
  type StoredSession,
  sessionStorageStorage,
  type TokenStorage,
  type WebStorageLike,
  webStorage,
} from './token-storage.js'
export type { WebAuthnCeremonies } from './webauthn-ceremonies.js'
