// The embedded apps of bench/apps: a user's Fastify or Express app protecting one route with
// Tessera's middleware or a peer library, all with the suite's key, logging nothing. Each is
// started on a free port and checked before it is measured: 200 and the hello body for a valid
// token, 401 for a tampered one, a refresh token and none.
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expectResponse, request } from './http.js'
import { accessClaims, signHs256 } from './jwt.js'
import { peerAccessTokens, startHelloServer } from './peers.js'
import { alternate } from './rounds.js'
import { HELLO_BODY, SIGNING_KEY } from './tessera.js'

/** App names (as the tables show them) and their files in bench/apps. */
export const APPS = {
  '@tessera/fastify': 'fastify-tessera.js',
  '@fastify/jwt': 'fastify-jwt-app.js',
  '@tessera/express': 'express-tessera.js',
  'passport-jwt': 'express-passport-app.js',
  'express-jwt': 'express-jwt-app.js',
}

/** The installed version of a package of the root node_modules: `express 5.3.0`. */
export function installedVersion(name) {
  const file = new URL(`../../node_modules/${name}/package.json`, import.meta.url)
  return `${name} ${JSON.parse(readFileSync(file, 'utf8')).version}`
}

/** Tokens each app must refuse with 401, and why. */
function refusedTokens() {
  const header = { alg: 'HS256', typ: 'JWT' }
  const [head, payload, signature] = peerAccessTokens(1)[0].split('.')
  // The first character of the signature: every bit of it counts (the last one has spare bits).
  const tampered = `${head}.${payload}.${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`
  return [
    ['a tampered signature', tampered],
    [
      'a refresh token',
      signHs256(SIGNING_KEY, header, { ...accessClaims(1), token_type: 'refresh' }),
    ],
    ['no token', undefined],
  ]
}

/** Starts the app `name` on a free port and checks its answers; `sign()` gives its tokens. */
export async function startApp(name) {
  const script = fileURLToPath(new URL(`../apps/${APPS[name]}`, import.meta.url))
  const app = await startHelloServer(name, script, { env: { SIGNING_KEY } })
  try {
    for (const [what, token] of refusedTokens()) {
      const headers = token === undefined ? {} : { authorization: `Bearer ${token}` }
      const response = await request(`${app.url}/api/hello/`, { headers })
      expectResponse(`${name} GET /api/hello/ with ${what}`, response, 401)
    }
    const valid = await request(`${app.url}/api/hello/`, {
      headers: { authorization: `Bearer ${peerAccessTokens(1)[0]}` },
    })
    expectResponse(`${name} GET /api/hello/`, valid, 200, HELLO_BODY)
  } catch (error) {
    await app.stop()
    throw error
  }
  return { ...app, sign: peerAccessTokens }
}

/**
 * Starts the apps `names`, measures them side by side with the servers `references` (started
 * by the caller, e.g. a framework's floor, measured first): GET /api/hello/, 1,000 distinct
 * tokens round-robin, the rounds of rounds.js. Stops the apps; resolves to the results by name.
 */
export async function measureApps(context, names, { references = [] } = {}) {
  const { rounds, seconds } = context.options
  const apps = []
  try {
    for (const name of names) apps.push(await startApp(name))
    const targets = []
    for (const app of [...references, ...apps]) targets.push(await context.helloTarget(app))
    return await alternate(targets, { rounds, seconds, log: context.log })
  } finally {
    for (const app of apps) await app.stop()
  }
}
