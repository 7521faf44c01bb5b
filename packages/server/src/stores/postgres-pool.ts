import type { Pool } from 'pg'

/**
 * Keeps a lost connection from crashing the process. pg-pool listens for `error` only on its
 * idle clients (and reports it as the pool's `error`); a client checked out at the moment the
 * server goes away (a query or transaction in flight, a NOTIFY being sent) emits `error` with
 * no listener, which Node turns into an uncaught exception: found by the fault suite, stopping
 * PostgreSQL under load killed `tessera serve`. The error needs no handling here: the query in
 * flight rejects with it (a 503), and the pool drops the broken client when it is released.
 */
export function ignoreCheckedOutErrors(pool: Pick<Pool, 'on'>): void {
  pool.on('connect', (client) => {
    client.on('error', () => {})
  })
}
