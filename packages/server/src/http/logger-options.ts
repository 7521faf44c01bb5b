import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { type Logger, pino } from 'pino'
import type { LogLevel } from '../settings/server-settings.js'
import { LineBuffer } from './line-buffer.js'

/** Body members that hold a secret: passwords and tokens. */
export const SECRET_BODY_FIELDS = [
  'password',
  'old_password',
  'new_password',
  // djoser's fields: its current and retyped passwords, and the link token of its flows.
  'current_password',
  're_password',
  're_new_password',
  'refresh',
  'access',
  'token',
] as const

const CENSOR = '[Redacted]'

/**
 * Log paths pino redacts. Fastify logs neither headers nor bodies by default; these paths make
 * sure that a serializer added later, or an object logged by hand (`req.log.info({ body })`),
 * cannot leak a credential either.
 */
export const REDACT_PATHS: readonly string[] = Object.freeze([
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrftoken"]',
  'headers.authorization',
  'headers.cookie',
  'res.headers["set-cookie"]',
  'headers["set-cookie"]',
  ...SECRET_BODY_FIELDS.flatMap((field) => [field, `body.${field}`, `req.body.${field}`]),
])

// A caller's request id is kept only when it is short and plain (it lands in every log line).
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/

// Generated ids need to be unique, not secret: a random UUID per process whose last 12 hex
// digits count requests costs far less than a UUID per request (measured on the hot path).
const ID_PREFIX = randomUUID().slice(0, 24)
let nextId = 0

/** Request ids: the caller's `X-Request-Id` when it is plain, else unique per process and request. */
export function generateRequestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id']
  if (typeof given === 'string' && REQUEST_ID.test(given)) return given
  return newRequestId()
}

/** A new id, unique per process and request (for answers written before any request exists). */
export function newRequestId(): string {
  nextId = (nextId + 1) % Number.MAX_SAFE_INTEGER
  return `${ID_PREFIX}${nextId.toString(16).padStart(12, '0')}`
}

interface LoggedRequest {
  method?: string
  url?: string
  hostname?: string
  ip?: string
  socket?: { remotePort?: number }
}

/**
 * The request serializer: method, path, host and client address. The query string is left out
 * (a careless client may put a token there); headers and bodies are never logged.
 */
function serializeRequest(request: LoggedRequest): Record<string, unknown> {
  const url = request.url ?? ''
  const query = url.indexOf('?')
  return {
    method: request.method,
    url: query === -1 ? url : `${url.slice(0, query)}?${CENSOR}`,
    host: request.hostname,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}

/** Where log lines go: anything with pino's `write(line)`. */
export interface LogStream {
  write(line: string): void
}

/** A reply as logged: its status only. */
function serializeReply(reply: { statusCode?: number }): Record<string, unknown> {
  return { statusCode: reply.statusCode }
}

/** Options of {@link createLogger}. */
export interface LoggerInput {
  readonly level: LogLevel
  /** Where JSON lines go. Default: stdout, buffered (see {@link createLogger}). */
  readonly stream?: LogStream
}

/**
 * The server's logger: pino JSON lines at `level`, credentials redacted, with the request, reply
 * and error serializers Fastify would add to a logger it made itself. On stdout, lines go out in
 * batches ({@link LineBuffer}): one write per line (pino's default) made every request pay a
 * system call once the access log was on.
 */
export function createLogger(input: LoggerInput): Logger {
  const stream = input.stream ?? new LineBuffer()
  return pino(
    {
      level: input.level,
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      serializers: { req: serializeRequest, res: serializeReply, err: pino.stdSerializers.err },
    },
    stream,
  )
}
