import type { FastifyServerOptions } from 'fastify'
import type { ServerSettings } from '../settings/server-settings.js'

/**
 * How often Node looks for requests past their timeout, in milliseconds: a stalled request is
 * closed within a second of `REQUEST_TIMEOUT` (Node's default look is every 30 s).
 */
const TIMEOUT_CHECK_INTERVAL_MS = 1000

/** The options of Node's HTTP server that Fastify passes on to `http.createServer`. */
export interface NodeServerOptions {
  readonly requestTimeout: number
  readonly headersTimeout: number
  readonly connectionsCheckingInterval: number
  readonly keepAliveTimeout: number
  readonly requireHostHeader: boolean
}

/**
 * Fastify's options for the Node HTTP server under it, from the settings. Fastify's defaults
 * leave a request without any time limit (`requestTimeout: 0`): complete headers followed by a
 * body that never ends held a connection for as long as the client liked. Here the whole
 * request, headers and body, must arrive within `REQUEST_TIMEOUT` (else 408, answered by the
 * server's client-error handler, and the connection closed), headers included from the first
 * byte or the connection's start; an idle connection stays `KEEP_ALIVE_TIMEOUT` after an
 * answer.
 */
export function httpServerOptions(
  settings: Pick<ServerSettings, 'REQUEST_TIMEOUT' | 'KEEP_ALIVE_TIMEOUT'>,
): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout'> & {
  readonly http: NodeServerOptions
} {
  const requestTimeout = settings.REQUEST_TIMEOUT * 1000
  const keepAliveTimeout = settings.KEEP_ALIVE_TIMEOUT * 1000
  return {
    // Fastify sets these two on the server after creating it...
    requestTimeout,
    keepAliveTimeout,
    // ...and these reach http.createServer (the headers' limit and the check's pace exist only
    // there; Node refuses a headers timeout above the request timeout at creation).
    http: {
      requestTimeout,
      headersTimeout: requestTimeout,
      keepAliveTimeout,
      connectionsCheckingInterval: Math.min(TIMEOUT_CHECK_INTERVAL_MS, requestTimeout),
      // Node would answer an HTTP/1.1 request without Host with an empty 400; the server's
      // onRequest gate (error-responses.ts) answers it with the contract's body instead.
      requireHostHeader: false,
    },
  }
}
