import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify'
import type { Logger } from 'pino'
import { lazyChildLogger, lazyChildLoggerFactory } from './lazy-child-logger.js'

/** Levels at which Fastify's per-request lines ("incoming request", "request completed") show. */
const REQUEST_LINE_LEVELS: ReadonlySet<string> = new Set(['info', 'debug', 'trace'])

/** How Fastify logs through the server's logger. */
export interface FastifyLogging {
  /** Fastify's logging options. */
  readonly options: Pick<
    FastifyServerOptions,
    'loggerInstance' | 'logger' | 'childLoggerFactory' | 'logController'
  >
  /**
   * The logger to set as `app.log` once Fastify is made, when Fastify was given none (above
   * info); undefined when Fastify has the logger itself.
   */
  readonly appLog: FastifyBaseLogger | undefined
  /**
   * Gives a request its logger, first thing in its first `onRequest` hook, when Fastify has
   * none (above info); undefined when Fastify makes the request loggers itself.
   */
  readonly bindRequestLogger: ((request: FastifyRequest, reply: FastifyReply) => void) | undefined
}

/**
 * Fastify's request lines ("incoming request", "request completed") left out; its error lines
 * kept. Used above info, where those lines are never written: the default controller still
 * calls `request.log.info` with a fresh object on every request (measured at about 1% of the
 * instructions of an authenticated GET).
 */
class NoRequestLinesLogController extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(): void {}
}

/**
 * Fastify's logging for `logger`. At info and below, Fastify has the logger and writes its
 * per-request lines. Above info those lines are never written, so Fastify is given no logger:
 * - a Fastify with a logger tracks the end of every response to time it (two listeners and two
 *   clock reads per request: measured at about 5% of an authenticated GET);
 * - a Fastify given a `childLoggerFactory` checks each request's logger for seven methods
 *   (measured at about 9% of the instructions of an authenticated GET).
 * Each request's `request.log` (and `reply.log`, the same object) is still a child of this
 * logger, bound to its id by `bindRequestLogger` before any other hook runs and made only when
 * something is written, so what Fastify and the routes log from a request (warnings, errors)
 * is written as before; `appLog` replaces Fastify's silent `app.log`.
 */
export function fastifyLogging(logger: Logger): FastifyLogging {
  if (REQUEST_LINE_LEVELS.has(logger.level)) {
    return {
      options: { loggerInstance: logger, childLoggerFactory: lazyChildLoggerFactory },
      appLog: undefined,
      bindRequestLogger: undefined,
    }
  }
  return {
    options: { logger: false, logController: new NoRequestLinesLogController() },
    appLog: logger,
    bindRequestLogger: (request, reply) => {
      const log = lazyChildLogger(logger, { reqId: request.id }, {})
      request.log = log
      reply.log = log
    },
  }
}
