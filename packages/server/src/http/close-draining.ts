import type { FastifyInstance } from 'fastify'

/** How often, while closing, connections that have sent their last answer are closed (ms). */
const IDLE_SWEEP_MS = 50

/**
 * `app.close()`, closing each keep-alive connection as soon as its last answer is out. Node
 * closes the connections idle when `close()` starts, once; one still answering a request stays
 * open after its answer, waiting `KEEP_ALIVE_TIMEOUT` (72 s by default) for a request that will
 * never be read. SIGTERM during a burst of logins then outlived `serve`'s 10 s drain: exit 1,
 * and the last access lines and the mail flush, which run after the server stops, were skipped
 * (found by `test/faults/sigterm-drain.test.ts`). The sweep runs only while closing.
 */
export async function closeDraining(app: FastifyInstance): Promise<void> {
  const sweep = setInterval(() => app.server.closeIdleConnections(), IDLE_SWEEP_MS)
  try {
    await app.close()
  } finally {
    clearInterval(sweep)
  }
}
