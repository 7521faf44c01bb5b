// Revocation propagation: a logout on one instance, then how long until each instance of the
// fleet refuses the session's access token. Each instance is probed with GET /api/hello/ (the
// cheapest request that consults the revocation view: no database, no hash) in a loop of its
// own over a kept-alive connection, from the logout's answer until the first 401. The time
// kept is the arrival of that 401 (an upper bound); the probe's own round trip is the
// resolution, and is reported beside it.
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import { expectResponse, request } from '../http.js'
import { bearer } from '../soak/soak-client.js'

/** How long one instance may keep accepting a logged-out token before it counts as never. */
const GIVE_UP_MS = 10_000

const PASSWORD = 'Scale-bench-Passw0rd-9'

/** Registers the user whose sessions the logouts end; resolves to its credentials. */
export async function registerScaleUser(server) {
  const credentials = { username: `scale${Date.now()}`, password: PASSWORD }
  const answer = await request(`${server.url}/api/register/`, {
    method: 'POST',
    body: { ...credentials, email: `${credentials.username}@example.com` },
  })
  expectResponse('register', answer, 201)
  return credentials
}

/** Probes `server` until it refuses `access`; resolves to { ms, rtt, probes } or an error. */
async function untilRefused(server, access, loggedOutAt, agent) {
  let probes = 0
  for (;;) {
    const sent = performance.now()
    const answer = await request(`${server.url}/api/hello/`, { headers: bearer(access), agent })
    const now = performance.now()
    probes++
    if (answer.status === 401) return { ms: now - loggedOutAt, rtt: now - sent, probes }
    if (answer.status !== 200) return { error: `${server.name}: ${answer.status} ${answer.body}` }
    if (now - loggedOutAt > GIVE_UP_MS)
      return { error: `${server.name}: still 200 after ${GIVE_UP_MS} ms` }
  }
}

/**
 * `count` logouts, the i-th on instance i mod N, each after checking every instance accepts the
 * token. Resolves to `{ remote, all, origin, rtts, errors }`: `remote` the time each other
 * instance took (ms), `all` the time until every instance refused, per logout, `origin` the
 * logging-out instance's own.
 */
export async function measurePropagation({ fleet, count, credentials, log }) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  const remote = []
  const all = []
  const origin = []
  const rtts = []
  const errors = []
  try {
    for (let i = 0; i < count; i++) {
      const home = fleet[i % fleet.length]
      const login = await request(`${home.url}/api/token/`, {
        method: 'POST',
        body: credentials,
        agent,
      })
      expectResponse('login', login, 200)
      const { access, refresh } = login.json
      const before = await Promise.all(
        fleet.map((server) =>
          request(`${server.url}/api/hello/`, { headers: bearer(access), agent }),
        ),
      )
      if (before.some((answer) => answer.status !== 200)) {
        errors.push(`logout ${i}: a fresh token was not accepted everywhere before the logout`)
        continue
      }
      const logout = await request(`${home.url}/api/token/blacklist/`, {
        method: 'POST',
        body: { refresh },
        agent,
      })
      const loggedOutAt = performance.now()
      expectResponse('logout', logout, 200)
      const results = await Promise.all(
        fleet.map((server) => untilRefused(server, access, loggedOutAt, agent)),
      )
      let slowest = 0
      for (const [j, result] of results.entries()) {
        if (result.error !== undefined) {
          errors.push(`logout ${i}: ${result.error}`)
          continue
        }
        rtts.push(result.rtt)
        slowest = Math.max(slowest, result.ms)
        if (fleet[j] === home) origin.push(result.ms)
        else remote.push(result.ms)
      }
      all.push(slowest)
      if ((i + 1) % 50 === 0) log(`  ${i + 1} of ${count} logouts`)
    }
  } finally {
    agent.destroy()
  }
  return { remote, all, origin, rtts, errors }
}
