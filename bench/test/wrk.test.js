import { describe, expect, it } from 'vitest'
import { parseWrk } from '../lib/wrk.js'

// Printed by wrk 4.1 (`wrk -t1 -c4 -d1s --latency`) against a server answering some requests
// 404 and dropping some connections.
const WITH_ERRORS = `Running 1s test @ http://127.0.0.1:8799/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency   605.67us    1.21ms  18.07ms   91.97%
    Req/Sec    12.49k     7.23k   21.34k    50.00%
  Latency Distribution
     50%  224.00us
     75%  500.00us
     90%    1.48ms
     99%    5.21ms
  12399 requests in 1.00s, 1.69MB read
  Socket errors: connect 0, read 253, write 0, timeout 0
  Non-2xx or 3xx responses: 1012
Requests/sec:  12391.07
Transfer/sec:      1.68MB
`

describe('parseWrk', () => {
  it('reads throughput, latency percentiles in ms, requests and failures', () => {
    expect(parseWrk(WITH_ERRORS)).toEqual({
      rps: 12391.07,
      requests: 12399,
      duration: 1,
      p50: 0.224,
      p99: 5.21,
      non2xx: 1012,
      socketErrors: 253,
      socketDetail: 'Socket errors: connect 0, read 253, write 0, timeout 0',
    })
  })

  it('counts no failures when wrk printed none', () => {
    const clean = WITH_ERRORS.split('\n')
      .filter((line) => !/Socket errors|Non-2xx/.test(line))
      .join('\n')
    const result = parseWrk(clean)
    expect(result.non2xx).toBe(0)
    expect(result.socketErrors).toBe(0)
    expect(result.rps).toBe(12391.07)
  })

  it('refuses output without a throughput line instead of reporting 0', () => {
    expect(() => parseWrk('unable to connect to 127.0.0.1:1 Connection refused')).toThrow(
      /no Requests\/sec/,
    )
  })
})
