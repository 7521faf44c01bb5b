import { STATUS_CODES } from 'node:http'
import type { Duplex } from 'node:stream'
import { bearerChallenge, type ErrorCode, errorResponse } from '@tessera/core'
import { createErrorHandler, handleFrameworkError } from '@tessera/fastify'
import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify'
import { newRequestId } from './logger-options.js'
import { rawResponseHeaderLines, setResponseHeaders } from './response-headers.js'

const CHALLENGE = bearerChallenge('Bearer')

/** Sends a catalogue error with core's one builder (status, headers, body). */
function sendCatalogueError(
  reply: FastifyReply,
  code: ErrorCode,
  params?: Readonly<Record<string, string>>,
): FastifyReply {
  const response = errorResponse(code, { challenge: CHALLENGE, params })
  return reply.code(response.status).headers(response.headers).send(response.body)
}

/**
 * The Fastify options that keep Fastify's and Node's own answers out: without them, a bad
 * percent-encoding gets Fastify's body echoing the path, a malformed message Fastify's
 * `{"error","message","statusCode"}`, a request during shutdown Fastify's 503. Each is answered
 * with the contract's body, the request id and the server's headers instead (a request without
 * `Host`: see httpServerOptions).
 */
export function errorResponseOptions(
  hsts?: string | null,
): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler' | 'return503OnClosing'> {
  return {
    // Runs before any hook: it sets the headers the hook would have set.
    frameworkErrors: (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
      setResponseHeaders(request, reply, hsts)
      return handleFrameworkError(error, request, reply)
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, hsts),
    // The server's hook answers requests during the drain itself (see registerErrorResponses).
    return503OnClosing: false,
  }
}

/**
 * A message Node could not parse (or did not receive in time), written straight to the
 * socket: there is no request. Node's guard is kept: nothing is written into a response
 * already on its way, and the connection is closed.
 */
function answerClientError(
  error: Error & { code?: string },
  socket: Duplex,
  hsts: string | null | undefined,
): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const inFlight = Reflect.get(socket, '_httpMessage') as { headersSent?: boolean } | null
  if (socket.writable && (inFlight == null || inFlight.headersSent !== true)) {
    const encrypted = Reflect.get(socket, 'encrypted') === true
    socket.write(rawErrorResponse(clientErrorCode(error.code), encrypted, hsts))
  }
  socket.destroy(error)
}

function clientErrorCode(code: string | undefined): ErrorCode {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return 'request_timeout'
    case 'HPE_HEADER_OVERFLOW':
      return 'header_too_large'
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return 'payload_too_large'
    default:
      return 'malformed_request'
  }
}

/**
 * A whole HTTP/1.1 response for `code`, with the server's headers and a fresh request id
 * (`encrypted`: the socket is TLS, so HSTS goes with it).
 */
export function rawErrorResponse(
  code: ErrorCode,
  encrypted: boolean,
  hsts?: string | null,
): string {
  const { status, headers, body } = errorResponse(code, { challenge: CHALLENGE })
  const json = JSON.stringify(body)
  const lines = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    ...rawResponseHeaderLines(newRequestId(), encrypted, hsts),
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(json)}`,
    'connection: close',
  ]
  return `${lines.join('\r\n')}\r\n\r\n${json}`
}

/** Decides, first thing, whether a request is refused before any route sees it. */
export type RequestGate = (request: FastifyRequest, reply: FastifyReply) => boolean

/**
 * The contract's answers outside the API's own scope: the error handler of `@tessera/fastify`
 * for the server's routes, 404 `{"detail":"Not found."}` or 405 with `Allow` for a path that
 * exists with other methods, bodies outside the API never parsed (no route there reads one, so
 * the path answers, as in DRF), unknown expectations ignored (RFC 9110 10.1.1). Call it before
 * registering routes. Returns the gate the server's `onRequest` hook runs: a 400 for an
 * HTTP/1.1 request without `Host` (RFC 9112 3.2), a 503 once the server drains.
 */
export function registerErrorResponses(app: FastifyInstance): RequestGate {
  app.setErrorHandler(createErrorHandler(CHALLENGE))
  // Outside the API no route reads a body: read it (within the body limit) and drop it.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) => {
    done(null, undefined)
  })

  const methodsByPath = new Map<string, string[]>()
  app.addHook('onRoute', (route) => {
    // Parametric and wildcard paths keep their 404: only fixed paths are looked up.
    if (/[:*(]/.test(route.url)) return
    const known = methodsByPath.get(route.url) ?? []
    methodsByPath.set(route.url, [...known, ...[route.method].flat()])
  })
  app.setNotFoundHandler((request, reply) => {
    const query = request.url.indexOf('?')
    const methods = methodsByPath.get(query === -1 ? request.url : request.url.slice(0, query))
    if (methods === undefined) return sendCatalogueError(reply, 'not_found')
    void reply.header('allow', methods.join(', '))
    return sendCatalogueError(reply, 'method_not_allowed', { method: request.method })
  })

  app.server.on('checkExpectation', (request, response) => {
    app.server.emit('request', request, response)
  })

  let draining = false
  app.addHook('preClose', (done) => {
    draining = true
    done()
  })
  return (request, reply) => {
    if (draining) {
      void reply.header('connection', 'close')
      sendCatalogueError(reply, 'service_unavailable')
      return true
    }
    if (request.raw.headers.host === undefined && request.raw.httpVersion === '1.1') {
      void reply.header('connection', 'close')
      sendCatalogueError(reply, 'malformed_request')
      return true
    }
    return false
  }
}
