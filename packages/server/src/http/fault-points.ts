import type { FastifyInstance } from 'fastify'
import { CommandError } from '../cli/cli-errors.js'

// TEST-ONLY fault injection for the fault suite (packages/server/test/faults/). A fault point
// kills the process at a moment a real crash could pick, so that the tests can check what the
// clients and the database see afterwards. Nothing here runs unless TESSERA_FAULT_POINT is set,
// and then only with NODE_ENV=test: `serve` reads the variable once at start, and with it unset
// no hook is registered, so requests pay nothing.

/** The fault points `TESSERA_FAULT_POINT` may name. */
export const FAULT_POINTS = ['after-refresh-consume'] as const

/** A fault point: where the process kills itself. */
export type FaultPoint = (typeof FAULT_POINTS)[number]

/**
 * The fault point `TESSERA_FAULT_POINT` names, or undefined when it is unset. Read once, at
 * start. Throws {@link CommandError} when it is set without `NODE_ENV=test` (a stray variable
 * in production would kill the server on the first refresh) or names no fault point.
 */
export function readFaultPoint(
  env: Readonly<Record<string, string | undefined>>,
): FaultPoint | undefined {
  const text = env.TESSERA_FAULT_POINT
  if (text === undefined || text === '') return undefined
  if (env.NODE_ENV !== 'test') {
    throw new CommandError(
      'TESSERA_FAULT_POINT is a test-only fault injection flag and needs NODE_ENV=test; ' +
        'remove it from the environment of a real server',
    )
  }
  const point = FAULT_POINTS.find((name) => name === text)
  if (point === undefined) {
    throw new CommandError(
      `TESSERA_FAULT_POINT must be one of ${FAULT_POINTS.join(', ')}; got ${JSON.stringify(text.slice(0, 40))}`,
    )
  }
  return point
}

/**
 * Registers `point`'s hook on `app`. `after-refresh-consume`: once a refresh succeeded (the
 * presented token consumed and its successor committed) and before its answer leaves, the
 * process dies by SIGKILL, as in an OOM kill: no handler, no flush, the client's connection
 * drops. Covers `/api/token/refresh/` and djoser's `/api/jwt/refresh/`.
 */
export function registerFaultPoint(app: FastifyInstance, point: FaultPoint): void {
  switch (point) {
    case 'after-refresh-consume':
      app.addHook('onSend', (request, reply, payload, done) => {
        const route = request.routeOptions.url ?? ''
        if (request.method === 'POST' && route.endsWith('/refresh/') && reply.statusCode === 200) {
          process.kill(process.pid, 'SIGKILL')
        }
        done(null, payload)
      })
      return
  }
}
