import type { InjectOptions } from 'fastify'
import { describe, expect, it } from 'vitest'
import { exchangeRaw, listen, openRaw, parseRawResponse, useServers } from './raw-http.js'

// Every error the server can emit, inside or outside the API, before or after routing: the
// contract's `{"detail": ...}` body, a request id, JSON, and never a piece of the input.

const build = useServers()

const REQUEST_ID = /^[0-9a-f-]{36}$/
const MALFORMED = { detail: 'Malformed request.' }
const NOT_FOUND = { detail: 'Not found.' }
// What a hostile request carries and must never come back: markup, the bad escape, Fastify's
// own error codes (the sign of its default bodies).
const ECHOES = ['<script>', '%3Cscript', 'ZZ', 'FST_', 'secret-detail', 'statusCode']

function expectContractError(
  response: { status: number; headers: Record<string, unknown>; body: string },
  status: number,
  body: object,
): void {
  const context = `${response.status} ${response.body.slice(0, 200)}`
  expect(response.status, context).toBe(status)
  expect(response.body, context).toBe(JSON.stringify(body))
  expect(response.headers['content-type'], context).toBe('application/json; charset=utf-8')
  expect(response.headers['x-request-id'], context).toMatch(REQUEST_ID)
  for (const echo of ECHOES) expect(response.body, context).not.toContain(echo)
}

const tooLarge = JSON.stringify({ padding: 'x'.repeat(17 * 1024) })

describe('errors through app.inject()', () => {
  it.each<[string, InjectOptions, number, object]>([
    ['a bad percent-encoding in an API path', { url: '/api/hello/%ZZ<script>' }, 400, MALFORMED],
    ['a bad percent-encoding outside the API', { url: '/docs/%ZZ<script>' }, 400, MALFORMED],
    [
      'an API path parameter over 100 characters',
      { url: `/api/sessions/${'a'.repeat(150)}<script>/` },
      404,
      NOT_FOUND,
    ],
    ['an unknown path', { url: '/nowhere/<script>' }, 404, NOT_FOUND],
    ['an unknown API path', { url: '/api/nowhere/<script>' }, 404, NOT_FOUND],
    [
      'a wrong method outside the API',
      { method: 'POST', url: '/healthz' },
      405,
      { detail: 'Method "POST" not allowed.' },
    ],
    [
      'a wrong method in the API',
      { method: 'PUT', url: '/api/token/' },
      405,
      { detail: 'Method "PUT" not allowed.' },
    ],
    [
      'a body outside the API is not read: the path decides',
      {
        method: 'POST',
        url: '/nowhere',
        payload: '<script>',
        headers: { 'content-type': 'text/xml' },
      },
      404,
      NOT_FOUND,
    ],
    [
      'a body without a content type outside the API',
      { method: 'POST', url: '/nowhere', payload: Buffer.from('<script>') },
      404,
      NOT_FOUND,
    ],
    [
      'broken JSON outside the API is not read either',
      {
        method: 'POST',
        url: '/healthz',
        payload: '{"secret-detail":',
        headers: { 'content-type': 'application/json' },
      },
      405,
      { detail: 'Method "POST" not allowed.' },
    ],
    [
      'a body over 16 KiB outside the API',
      {
        method: 'POST',
        url: '/nowhere',
        payload: tooLarge,
        headers: { 'content-type': 'application/json' },
      },
      413,
      { detail: 'Request body is too large.', code: 'payload_too_large' },
    ],
    ['a handler failing', { url: '/test/throws' }, 500, { detail: 'A server error occurred.' }],
    [
      'a handler failing with a 4xx error of its own words',
      { url: '/test/throws-400' },
      400,
      MALFORMED,
    ],
  ])('%s', async (_name, request, status, body) => {
    const { app } = await build()
    app.get('/test/throws', async () => {
      throw new Error('secret-detail of a failure')
    })
    app.get('/test/throws-400', async () => {
      throw Object.assign(new Error('secret-detail <script>'), { statusCode: 400 })
    })
    const response = await app.inject({ method: 'GET', ...request })
    expectContractError(
      { status: response.statusCode, headers: response.headers, body: response.body },
      status,
      body,
    )
    if (status === 405) expect(response.headers.allow).toMatch(/^[A-Z]+(, [A-Z]+)*$/)
  })

  it('405 outside the API names the methods the path has', async () => {
    const { app } = await build()
    const response = await app.inject({ method: 'DELETE', url: '/healthz?x=1' })
    expect(response.statusCode).toBe(405)
    expect(response.headers.allow).toBe('GET, HEAD')
  })
})

describe('errors before Fastify sees a request, over a real socket', () => {
  const request = (head: string) => `${head}\r\nHost: localhost\r\nConnection: close\r\n\r\n`

  it.each<[string, string, number, object]>([
    ['a bad percent-encoding', request('GET /api/hello/%ZZ%3Cscript%3E HTTP/1.1'), 400, MALFORMED],
    ['a space in the request target', request('GET /a <script> HTTP/1.1'), 400, MALFORMED],
    ['an unknown HTTP version', request('GET / HTTP/7.0<script>'), 400, MALFORMED],
    [
      'a header name with a space',
      'GET / HTTP/1.1\r\nHost: localhost\r\nBad Name<script>: 1\r\n\r\n',
      400,
      MALFORMED,
    ],
    [
      'a control character in a header value',
      'GET / HTTP/1.1\r\nHost: localhost\r\nX-A: a\u0001<script>\r\n\r\n',
      400,
      MALFORMED,
    ],
    [
      'headers over 16 KiB',
      `GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20_000)}<script>\r\n\r\n`,
      431,
      { detail: 'Request header fields too large.' },
    ],
    [
      'Content-Length beside Transfer-Encoding',
      'POST /api/token/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n',
      400,
      MALFORMED,
    ],
    [
      'a Content-Length that is not a number',
      'POST /api/token/ HTTP/1.1\r\nHost: localhost\r\nContent-Length: <script>\r\n\r\n',
      400,
      MALFORMED,
    ],
    ['an HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 400, MALFORMED],
    [
      'an HTTP/1.1 request without Host (RFC 9112 3.2)',
      'GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n',
      400,
      MALFORMED,
    ],
  ])('%s', async (_name, raw, status, body) => {
    const server = await build()
    const port = await listen(server)
    const response = await exchangeRaw(port, raw)
    expectContractError(response, status, body)
  })

  it('an expectation other than 100-continue is ignored (RFC 9110 10.1.1), not a bare 417', async () => {
    const server = await build()
    const port = await listen(server)
    const response = await exchangeRaw(port, request('GET /healthz HTTP/1.1\r\nExpect: tea'))
    expect(response.status).toBe(200)
    expect(response.body).toBe('{"status":"ok"}')
  })

  it('a request arriving while the server drains is a contract 503', async () => {
    const server = await build()
    const port = await listen(server)
    // A request whose headers are still coming: its connection is not idle, so closing the
    // server does not drop it, and it completes after the drain began.
    const late = await openRaw(port)
    late.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n')
    const closing = server.close()
    late.write('\r\n')
    const response = parseRawResponse(await late.closed)
    await closing
    expectContractError(response, 503, {
      detail: 'Service temporarily unavailable, try again later.',
      code: 'service_unavailable',
    })
    expect(response.headers['retry-after']).toMatch(/^[1-9]\d*$/)
  })
})
