import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify'
import type { Logger } from 'pino'
import { lazyChildLogger, lazyChildLoggerFactory } from './lazy-child-logger.js'

/** Levels at which Fastify's per-request lines ("incoming request", "request completed") show. */
const REQUEST_LINE_LEVELS: ReadonlySet<string> = new Set(['info', 'debug', 'trace'])

/** How Fastify logs through the server's logger. */
export interface FastifyLogging {
  /** Fastify's logging options. */
  readonly options: Pick<FastifyServerOptions, 'loggerInstance' | 'logger' | 'childLoggerFactory'>
  /**
   * The logger to set as `app.log` once Fastify is made, when Fastify was given none (above
   * info); undefined when Fastify has the logger itself.
   */
  readonly appLog: FastifyBaseLogger | undefined
}

/**
 * Fastify's logging for `logger`. At info and below, Fastify has the logger and writes its
 * per-request lines. Above info those lines are never written, yet a Fastify that has a logger
 * still tracks the end of every response to time it (two listeners and two clock reads per
 * request: measured at about 5% of an authenticated GET). So Fastify is given no logger: every
 * request's `request.log` is still a child of this logger (the factory), so what Fastify and the
 * routes log from a request (warnings, errors) is written as before, and `appLog` replaces
 * Fastify's silent `app.log`.
 */
export function fastifyLogging(logger: Logger): FastifyLogging {
  if (REQUEST_LINE_LEVELS.has(logger.level)) {
    return {
      options: { loggerInstance: logger, childLoggerFactory: lazyChildLoggerFactory },
      appLog: undefined,
    }
  }
  return {
    options: {
      logger: false,
      childLoggerFactory: (_silent, bindings, options) =>
        lazyChildLogger(logger, bindings, options),
    },
    appLog: logger,
  }
}
