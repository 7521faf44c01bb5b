import { createServer, type Server } from 'node:http'
import type { AuditEvent, Stores } from '@tessera/core'
import type { FastifyInstance } from 'fastify'
import type { MetricsSettings } from '../settings/metrics-settings.js'
import type { ServerMetrics } from './server-metrics.js'

/** Whether the settings ask for metrics at all (off by default). */
export function metricsEnabled(settings: MetricsSettings): boolean {
  return settings.METRICS_PORT !== null || settings.METRICS_ON_API_PORT
}

/** `stores` whose audit writes are also counted (the auth events of the metrics). */
export function countingAuditWrites(stores: Stores, metrics: ServerMetrics): Stores {
  const { audit } = stores
  return {
    ...stores,
    audit: {
      record: (event: AuditEvent) => {
        metrics.countEvent(event.type)
        return audit.record(event)
      },
      listEvents: (options) => audit.listEvents(options),
      queryEvents: (query) => audit.queryEvents(query),
    },
  }
}

/**
 * Times every answered request with an `onResponse` hook when asked (`hook`: a server without
 * a logger; with one, the access line's callback observes them for free), and serves the
 * exposition: on a port of its own (`METRICS_PORT`, opened with the server and
 * closed with it), and on the API port at `/metrics` only with `METRICS_ON_API_PORT`.
 * Returns what closes the metrics port.
 */
export function registerMetrics(
  app: FastifyInstance,
  metrics: ServerMetrics,
  settings: MetricsSettings,
  options: { readonly hook: boolean },
): () => Promise<void> {
  if (options.hook) {
    app.addHook('onResponse', (request, reply, done) => {
      const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched')
      metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000)
      done()
    })
  }
  if (settings.METRICS_ON_API_PORT) {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const { body, contentType } = await metrics.scrape()
      return reply
        .header('content-type', contentType)
        .header('cache-control', 'no-store')
        .send(body)
    })
  }
  const port = settings.METRICS_PORT
  if (port === null) return async () => {}
  const server: Server = createServer((request, response) => {
    if (
      request.method !== 'GET' ||
      new URL(request.url ?? '/', 'http://x').pathname !== '/metrics'
    ) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: see /metrics\n')
      return
    }
    metrics.scrape().then(
      ({ body, contentType }) => response.writeHead(200, { 'content-type': contentType }).end(body),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    )
  })
  // The port opens with the API's, so a server that fails to start leaves nothing behind.
  app.addHook('onListen', (done) => {
    server.once('error', done)
    server.listen(port, settings.METRICS_HOST, () => {
      server.removeListener('error', done)
      done()
    })
  })
  return () =>
    new Promise((resolve) => {
      if (!server.listening) resolve()
      else server.close(() => resolve())
    })
}
