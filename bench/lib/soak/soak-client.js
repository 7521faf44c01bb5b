// The soak's HTTP client: each call names the statuses it expects, and every answer is tallied
// by operation and status, so the end report can say what a 5xx or an unexpected status was.
import http from 'node:http'
import { request } from '../http.js'

/** Unexpected answers kept as samples for the report (the counts are complete). */
const KEPT_SAMPLES = 20

/** Tallies of one run: `counts[operation][status]`, and a few unexpected answers. */
export function createTally() {
  return { counts: {}, unexpected: 0, samples: [] }
}

/**
 * A client over keep-alive connections (as a real client or proxy keeps them) that tallies
 * every answer in `tally`. `call(operation, url, options, expected)` resolves to the response,
 * whatever its status; an answer whose status is not in `expected` is counted as unexpected.
 */
export function createSoakClient(tally) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  async function call(operation, url, options, expected) {
    let response
    try {
      response = await request(url, { ...options, agent })
    } catch (error) {
      // A reset or refused connection is a failure like a 5xx: the client got no answer.
      response = { status: 0, body: `${error.code ?? error.message}`, json: undefined }
    }
    tally.counts[operation] ??= {}
    const byStatus = tally.counts[operation]
    byStatus[response.status] = (byStatus[response.status] ?? 0) + 1
    if (!expected.includes(response.status)) {
      tally.unexpected += 1
      if (tally.samples.length < KEPT_SAMPLES) {
        // The body never holds a token here (errors do not echo them), but cut it short anyway.
        tally.samples.push(`${operation}: ${response.status} ${response.body.slice(0, 160)}`)
      }
    }
    return response
  }
  return { call, close: () => agent.destroy() }
}

/** Bearer header of an access token. */
export const bearer = (access) => ({ authorization: `Bearer ${access}` })
