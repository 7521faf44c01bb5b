// One-off HTTP calls for seeding and checks (the load itself is wrk's job).
import { request as rawRequest } from '../../packages/server/bench/bench-server.js'

/**
 * One request (the server package's bench helper); a JSON `body` is serialized. Resolves to
 * { status, body, json } where json is the parsed body when it is JSON.
 */
export async function request(url, options = {}) {
  const response = await rawRequest(url, options)
  let json
  try {
    json = JSON.parse(response.body)
  } catch {
    json = undefined
  }
  return { ...response, json }
}

/** Throws unless the response has the expected status (and body, when given). */
export function expectResponse(what, response, status, body) {
  if (response.status !== status || (body !== undefined && response.body !== body)) {
    throw new Error(
      `${what}: expected ${status}${body === undefined ? '' : ` ${body}`}, got ${response.status} ${response.body.slice(0, 300)}`,
    )
  }
}

/** POST /api/token/ for each credential (in parallel batches); resolves to the token pairs. */
export async function obtainPairs(baseUrl, credentials, batch = 8) {
  const pairs = []
  for (let i = 0; i < credentials.length; i += batch) {
    const results = await Promise.all(
      credentials
        .slice(i, i + batch)
        .map((body) => request(`${baseUrl}/api/token/`, { method: 'POST', body })),
    )
    for (const result of results) {
      expectResponse('POST /api/token/', result, 200)
      pairs.push(result.json)
    }
  }
  return pairs
}
