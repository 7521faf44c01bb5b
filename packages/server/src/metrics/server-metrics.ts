import type { AuditEvent, RevocationViewSize, Stores } from '@tessera/core'
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'
import { RequestHistogram } from './request-histogram.js'

/** What the gauges read when Prometheus scrapes. */
export interface MetricsSources {
  readonly hasherLoad: () => { readonly running: number; readonly queued: number }
  readonly revocationView: () => RevocationViewSize
  readonly busUp: () => boolean
  readonly stores: Pick<Stores, 'mail'>
}

/**
 * Tessera's Prometheus metrics (prom-client), in a registry of the server's own. Requests are
 * counted and timed by route pattern and status in the server's one `onResponse` hook, only
 * when metrics are on; the auth events come from the audit log's writes (logins by outcome,
 * refreshes, reuse detections, logouts, MFA, mail); the rest are read at scrape time.
 */
export class ServerMetrics {
  readonly registry = new Registry()
  readonly #requests = new RequestHistogram()
  readonly #events: Counter<'event'>
  readonly #throttled: Counter<'route'>
  readonly #hashWait: Histogram

  constructor(sources: MetricsSources) {
    const registers = [this.registry]
    collectDefaultMetrics({ register: this.registry, prefix: 'tessera_' })
    this.registry.registerMetric(this.#requests as never)
    this.#events = new Counter({
      name: 'tessera_auth_events_total',
      help: 'Authentication events by type (login_succeeded, login_failed, token_refreshed, refresh_reuse_detected, logout, ...)',
      labelNames: ['event'],
      registers,
    })
    this.#throttled = new Counter({
      name: 'tessera_throttled_requests_total',
      help: 'Requests refused with 429 by a throttle, by route pattern',
      labelNames: ['route'],
      registers,
    })
    this.#hashWait = new Histogram({
      name: 'tessera_password_hash_queue_wait_seconds',
      help: 'Time a password hash or verify waited for a hashing thread',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2],
      registers,
    })
    new Gauge({
      name: 'tessera_password_hash_jobs',
      help: 'Password hashes and verifies running, and waiting for a thread',
      labelNames: ['state'],
      registers,
      collect() {
        const load = sources.hasherLoad()
        this.set({ state: 'running' }, load.running)
        this.set({ state: 'queued' }, load.queued)
      },
    })
    new Gauge({
      name: 'tessera_revocation_view_entries',
      help: 'Revoked access tokens, revoked sessions and user cut-offs held in memory',
      labelNames: ['kind'],
      registers,
      collect() {
        const size = sources.revocationView()
        this.set({ kind: 'access_tokens' }, size.accessTokens)
        this.set({ kind: 'sessions' }, size.sessions)
        this.set({ kind: 'cutoffs' }, size.cutoffs)
      },
    })
    new Gauge({
      name: 'tessera_revocation_bus_up',
      help: '1 while the revocation bus is connected and the view current, else 0 (tokens refused)',
      registers,
      collect() {
        this.set(sources.busUp() ? 1 : 0)
      },
    })
    new Gauge({
      name: 'tessera_mail_outbox_messages',
      help: 'Mail waiting to be sent, and mail that failed (up to 1000 of each counted)',
      labelNames: ['status'],
      registers,
      async collect() {
        for (const status of ['pending', 'failed'] as const) {
          const listed = await sources.stores.mail.list({ limit: 1000, status })
          this.set({ status }, listed.length)
        }
      },
    })
  }

  /** One answered request (`route` is the pattern, never the URL: no ids, no secrets). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.#requests.observe(method, route, status, seconds)
    if (status === 429) this.#throttled.inc({ route })
  }

  /** One audit event written. */
  countEvent(event: AuditEvent['type']): void {
    this.#events.inc({ event })
  }

  /** One hashing job's wait for a thread. */
  observeHashWait(seconds: number): void {
    this.#hashWait.observe(seconds)
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ readonly body: string; readonly contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType }
  }
}
