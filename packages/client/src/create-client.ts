import type { ClientOptions } from './client-options.js'
import { TesseraClient } from './tessera-client.js'

/**
 * A client of a Tessera API (or of a Django + simplejwt one, in bearer mode).
 *
 * @example
 * const api = createClient({ baseUrl: 'https://api.example.com', onSessionEnd: () => showLogin() })
 * await api.login({ username: 'peter', password })
 * const hello = await (await api.fetch('/api/hello/')).json()
 */
export function createClient(options: ClientOptions): TesseraClient {
  return new TesseraClient(options)
}
