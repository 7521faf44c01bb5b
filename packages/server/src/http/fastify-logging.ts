import {
  type FastifyBaseLogger,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify'
import type { Logger } from 'pino'
import type { AccessLogLevel } from '../settings/server-settings.js'
import { AccessLogController, accessLineStarter, type RequestObserver } from './access-log.js'
import { lazyChildLogger, lazyChildLoggerFactory } from './lazy-child-logger.js'

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
  /**
   * Starts the access line of a request, in the server's first `onRequest` hook, when Fastify
   * has no logger to time it; undefined otherwise.
   */
  readonly startAccessLine: ((request: FastifyRequest, reply: FastifyReply) => void) | undefined
}

/**
 * Fastify's request lines ("incoming request", "request completed") left out; its error lines
 * kept. Used when no request line is written: the default controller still calls
 * `request.log.info` with a fresh object on every request (measured at about 1% of the
 * instructions of an authenticated GET).
 */
class NoRequestLinesLogController extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(): void {}
  // Fastify's own line quotes the URL, query string included: the access line covers a 404.
  override routeNotFound(): void {}
}

/**
 * Fastify's logging for `logger`, with the access log at `accessLog` (written only when
 * `logger` lets that level through). At debug, Fastify has the logger: it writes "incoming
 * request" and times each request for {@link AccessLogController}. Otherwise Fastify is given no
 * logger, and the access line is timed by one `finish` listener of our own
 * (`startAccessLine`). Measured with `npm run bench:instructions`, the same access line written
 * from a Fastify that has the logger cost about 5% more per authenticated GET (98.9k against
 * 93.7k instructions): such a Fastify tracks the end of every response with two listeners and
 * two clock reads, and checks each request's child logger for seven methods.
 * Each request's `request.log` (and `reply.log`, the same object) is still a child of this
 * logger, bound to its id by `bindRequestLogger` before any other hook runs and made only when
 * something is written, so what Fastify and the routes log from a request (warnings, errors)
 * is written as before; `appLog` replaces Fastify's silent `app.log`.
 */
export function fastifyLogging(
  logger: Logger,
  accessLog: AccessLogLevel = 'info',
  observe?: RequestObserver,
): FastifyLogging {
  const accessLevel =
    accessLog !== 'off' && logger.isLevelEnabled(accessLog) ? accessLog : undefined
  if (logger.isLevelEnabled('debug')) {
    return {
      options: {
        loggerInstance: logger,
        childLoggerFactory: lazyChildLoggerFactory,
        logController: new AccessLogController(logger, accessLevel, observe),
      },
      appLog: undefined,
      bindRequestLogger: undefined,
      startAccessLine: undefined,
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
    startAccessLine: accessLineStarter(logger, accessLevel, observe),
  }
}
