import { publicErrorBody, type RevocationView, type Stores } from '@tessera/core'
import type { FastifyInstance } from 'fastify'

/** Seconds a readiness probe waits for the store before answering 503. */
export const READINESS_TIMEOUT_SECONDS = 3

/** `Retry-After` of a 503 from `/readyz`, in seconds. */
export const READINESS_RETRY_AFTER_SECONDS = 5

const statusBody = (value: string) => ({
  type: 'object',
  properties: { status: { type: 'string', const: value } },
  required: ['status'],
  additionalProperties: false,
})

const unavailableBody = {
  type: 'object',
  properties: { detail: { type: 'string' }, code: { type: 'string' } },
  required: ['detail', 'code'],
}

function withTimeout(promise: Promise<void>, seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('store ping timed out')), seconds * 1000)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/**
 * `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: the revocation
 * view vouches for itself and the store answers a ping within 3 s; else 503 with the contract's
 * `service_unavailable` body and `Retry-After`). Probes hit them every few seconds, so their
 * request logs are kept to warnings.
 */
export async function registerHealthRoutes(
  app: FastifyInstance,
  stores: Stores,
  revocations: Pick<RevocationView, 'failingClosed'>,
): Promise<void> {
  app.get(
    '/healthz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['operations'],
        summary: 'Liveness: the process is up',
        response: { 200: statusBody('ok') },
      },
    },
    async () => ({ status: 'ok' }),
  )
  app.get(
    '/readyz',
    {
      logLevel: 'warn',
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the revocation view is current and the store reachable',
        response: { 200: statusBody('ready'), 503: unavailableBody },
      },
    },
    async (request, reply) => {
      try {
        if (revocations.failingClosed) throw new Error('revocation view failing closed')
        await withTimeout(stores.ping(), READINESS_TIMEOUT_SECONDS)
        return { status: 'ready' }
      } catch (error) {
        request.log.warn({ reason: (error as Error).message }, 'readiness check failed')
        return reply
          .code(503)
          .header('retry-after', String(READINESS_RETRY_AFTER_SECONDS))
          .send(publicErrorBody('service_unavailable'))
      }
    },
  )
}
