import { hostname } from 'node:os'
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import { type Logger, pino } from 'pino'

/** The level access lines are written at; `undefined` writes none. */
export type AccessLineLevel = 'info' | 'debug' | undefined

/**
 * Told of every completed request, in the same callback as the access line (metrics): its
 * method, route pattern (undefined for a 404), status and milliseconds. Must not throw.
 */
export type RequestObserver = (
  method: string,
  route: string | undefined,
  status: number,
  ms: number,
) => void

/** Who made a request, when a token said so (`request.user` is set by Tessera's hook). */
function userIdOf(request: FastifyRequest): string | undefined {
  const user = (request as { user?: { isAuthenticated: boolean; id?: string } }).user
  return user?.isAuthenticated === true ? user.id : undefined
}

/**
 * Fastify's request lines, as Tessera writes them: one access line per completed request
 * (`{"reqId","method","route","status","ms","userId","msg":"request"}`) instead of Fastify's
 * "incoming request" + "request completed" pair, which is written at `debug` only. The line
 * names the route's pattern (`/api/sessions/:id/`), never the URL: a query string or a path may
 * carry a token; an unknown route is `null`. It goes through the root logger, so no per-request
 * child logger is made for it. Errors are logged as Fastify logs them.
 */
export class AccessLogController extends LogController {
  readonly #logger: Logger
  readonly #level: AccessLineLevel
  readonly #observe: RequestObserver | undefined

  constructor(logger: Logger, level: AccessLineLevel, observe?: RequestObserver) {
    super()
    this.#logger = logger
    this.#level = level
    this.#observe = observe
  }

  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request')
  }

  override routeNotFound(request: FastifyRequest): void {
    request.log.debug('route not found')
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const ms = reply.elapsedTime
    this.#observe?.(request.method, routeOf(request), reply.statusCode, ms)
    if (error) {
      reply.log.error({ res: reply, err: error, responseTime: ms }, 'request errored')
      return
    }
    if (this.#level !== undefined) writeAccessLine(this.#logger, this.#level, request, reply, ms)
  }
}

const LEVEL_NUMBERS = { info: 30, debug: 20 } as const

/** What pino writes before a line's own members, as pino's `base` bindings do. */
const BINDINGS = `,"pid":${process.pid},"hostname":${JSON.stringify(hostname())}`

/**
 * Writes the access line of a completed request, `ms` after it began, as pino would write it
 * (level, time, pid, hostname, then the members, then msg) to `logger`'s destination. Built by
 * hand: measured with `npm run bench:instructions`, pino's serialization of the same object
 * (redaction paths, serializers, key by key) cost about 10,000 instructions a request more. The
 * members need no redaction: none can hold a secret.
 */
export function writeAccessLine(
  logger: Logger,
  level: 'info' | 'debug',
  request: FastifyRequest,
  reply: FastifyReply,
  ms: number,
): void {
  const userId = userIdOf(request)
  const stream = (logger as unknown as Record<symbol, { write(line: string): void }>)[
    pino.symbols.streamSym
  ] as { write(line: string): void }
  // Request ids are plain (`[A-Za-z0-9._:-]`, see generateRequestId) and methods are HTTP
  // tokens: neither needs escaping. Route patterns are encoded once each.
  stream.write(
    `{"level":${LEVEL_NUMBERS[level]},"time":${Date.now()}${BINDINGS}` +
      `,"reqId":"${request.id}","method":"${request.method}"` +
      `,"route":${routeJson(routeOf(request))}` +
      `,"status":${reply.statusCode},"ms":${Math.round(ms * 100) / 100}` +
      (userId === undefined ? '' : `,"userId":${JSON.stringify(userId)}`) +
      ',"msg":"request"}\n',
  )
}

/** The route pattern of a request; undefined for one no route matched. */
function routeOf(request: FastifyRequest): string | undefined {
  return request.is404 ? undefined : request.routeOptions.url
}

/** JSON of each route pattern seen: the routes are few, fixed at start-up. */
const ROUTE_JSON = new Map<string | undefined, string>()

function routeJson(route: string | undefined): string {
  let json = ROUTE_JSON.get(route)
  if (json === undefined) {
    json = JSON.stringify(route ?? null)
    ROUTE_JSON.set(route, json)
  }
  return json
}

/**
 * Times a request from now and, when its response has been handed to the socket, writes its
 * access line and tells `observe` (metrics): for a Fastify without a logger (what Fastify's own
 * timing costs is measured in `fastifyLogging`). One listener per request, for both; undefined
 * when there is neither.
 */
export function accessLineStarter(
  logger: Logger,
  level: AccessLineLevel,
  observe?: RequestObserver,
): ((request: FastifyRequest, reply: FastifyReply) => void) | undefined {
  if (level === undefined && observe === undefined) return undefined
  return (request, reply) => {
    const started = performance.now()
    reply.raw.on('finish', () => {
      const ms = performance.now() - started
      observe?.(request.method, routeOf(request), reply.statusCode, ms)
      if (level !== undefined) writeAccessLine(logger, level, request, reply, ms)
    })
  }
}
