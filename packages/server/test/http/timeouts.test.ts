import { describe, expect, it } from 'vitest'
import { listen, openRaw, parseRawResponse, useServers } from './raw-http.js'

// A client that sends complete headers then stalls its body (or never finishes its headers, or
// never sends a byte) must not hold a connection forever: REQUEST_TIMEOUT closes it with the
// contract's 408. Each test waits for the server to close the socket, never for a fixed time;
// the timeouts are 1 s and the test's limit (30 s, vitest.config.ts) generous for a loaded
// machine.

const build = useServers()
const REQUEST_TIMEOUT = {
  status: 408,
  body: JSON.stringify({ detail: 'Request timed out.' }),
}

describe('REQUEST_TIMEOUT', () => {
  it.each([
    [
      'a body that stops halfway',
      'POST /api/token/ HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        'Content-Length: 100\r\n\r\n{"username":"peter","pass',
    ],
    ['headers that never end', 'GET /api/hello/ HTTP/1.1\r\nHost: localhost\r\nX-Slow: 1\r\n'],
    ['a connection that never sends a byte', ''],
  ])('%s: closed with a 408, the request id and the headers', async (_name, sent) => {
    const server = await build({ TESSERA_REQUEST_TIMEOUT: '1' })
    const port = await listen(server)
    const connection = await openRaw(port)
    if (sent !== '') connection.write(sent)
    const response = parseRawResponse(await connection.closed)
    expect({ status: response.status, body: response.body }).toEqual(REQUEST_TIMEOUT)
    expect(response.headers).toMatchObject({
      'content-type': 'application/json; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      connection: 'close',
    })
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/)
    expect(response.text).not.toContain('peter')
  })

  it('a request that arrives in time is answered as usual', async () => {
    const server = await build({ TESSERA_REQUEST_TIMEOUT: '1' })
    const port = await listen(server)
    const connection = await openRaw(port)
    connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
    const response = parseRawResponse(await connection.closed)
    expect(response.status).toBe(200)
  })
})

describe('KEEP_ALIVE_TIMEOUT', () => {
  it('closes an idle keep-alive connection after its answer', async () => {
    const server = await build({ TESSERA_KEEP_ALIVE_TIMEOUT: '1' })
    const port = await listen(server)
    const connection = await openRaw(port)
    connection.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n')
    const text = await connection.closed
    expect(parseRawResponse(text).status).toBe(200)
    expect(text).toContain('{"status":"ok"}')
  })
})

describe('the Node server gets the settings', () => {
  it('defaults: 10 s for a request, headers included; 72 s of keep-alive', async () => {
    const { server: http } = (await build()).app
    expect({
      requestTimeout: http.requestTimeout,
      headersTimeout: http.headersTimeout,
      keepAliveTimeout: http.keepAliveTimeout,
    }).toEqual({ requestTimeout: 10_000, headersTimeout: 10_000, keepAliveTimeout: 72_000 })
  })

  it('as set', async () => {
    const { server: http } = (
      await build({ TESSERA_REQUEST_TIMEOUT: '30s', TESSERA_KEEP_ALIVE_TIMEOUT: '2m' })
    ).app
    expect([http.requestTimeout, http.headersTimeout, http.keepAliveTimeout]).toEqual([
      30_000, 30_000, 120_000,
    ])
  })
})
