// What scenarios share: options, the log, the work dir, and servers started on first use and
// kept for the rest of the run (a Tessera on SQLite, the peers, the reference).

import { expectResponse, request } from './http.js'
import {
  installPeers,
  peerAccessTokens,
  startExpressFloor,
  startFastifyFloor,
  startPeer,
} from './peers.js'
import { referenceEnabled, startReference } from './reference.js'
import {
  HELLO_BODY,
  LOGIN_LOAD_SETTINGS,
  LOGS_OFF_SETTINGS,
  METRICS_ON_SETTINGS,
  prepareInstance,
  startTessera,
  tesseraTokenSigner,
  writeLines,
} from './tessera.js'
import { runWrk } from './wrk.js'

export function createContext({ options, log, workDir }) {
  const cache = new Map()
  const once = (key, make) => {
    if (!cache.has(key)) cache.set(key, make())
    return cache.get(key)
  }
  /** A Tessera process on the main data dir (made once), started once per label. */
  const startOnMain = (label, settings, { name = label } = {}) =>
    once(`tessera:${label}`, async () => {
      const instance = await once('main-instance', () => prepareInstance('main'))
      log(`starting ${label} (SQLite, 1 process)`)
      const server = await startTessera(instance, { label, env: settings })
      return { ...server, name, sign: await tesseraTokenSigner(server, instance.userIds) }
    })
  const context = {
    options,
    log,
    workDir,
    /** Writes one-per-line values to a file of the work dir; returns its path. */
    file: (name, lines) => writeLines(workDir, name, lines),
    /**
     * The main Tessera: SQLite, 1,000 seeded users, one process, as `tessera serve` starts
     * (access log on); with `sign()` for tokens.
     */
    tessera: () => startOnMain('tessera', {}),
    /** The main data dir served by a second process with its logs off (LOGS_OFF_SETTINGS). */
    tesseraLogsOff: () => startOnMain('tessera (logs off)', LOGS_OFF_SETTINGS),
    /** The main data dir served with Prometheus metrics on (METRICS_ON_SETTINGS). */
    tesseraMetricsOn: () => startOnMain('tessera (metrics on)', METRICS_ON_SETTINGS),
    /**
     * The main data dir served by a process whose login throttles are off (LOGIN_LOAD_SETTINGS),
     * for the scenarios whose load is logins; named `tessera` in their tables.
     */
    tesseraForLogins: () =>
      startOnMain('tessera (login throttles off)', LOGIN_LOAD_SETTINGS, { name: 'tessera' }),
    /** A peer by name (bare, fastify-jwt, express-passport), its tokens from `sign()`. */
    peer: (name) =>
      once(`peer:${name}`, async () => {
        const dir = await once('peers-dir', async () => installPeers(workDir, log))
        const peer = await startPeer(dir, name)
        return { ...peer, sign: peerAccessTokens }
      }),
    /** Fastify alone, no auth (bench/servers/fastify-floor.js): the framework's own cost. */
    fastifyFloor: () =>
      once('fastify-floor', async () => ({
        ...(await startFastifyFloor()),
        sign: peerAccessTokens,
      })),
    /** Express alone, no auth (bench/servers/express-floor.js): the framework's own cost. */
    expressFloor: () =>
      once('express-floor', async () => ({
        ...(await startExpressFloor()),
        sign: peerAccessTokens,
      })),
    /** The reference simplejwt server when BENCH_REFERENCE=1, else undefined. */
    reference: () =>
      referenceEnabled()
        ? once('reference', async () => ({
            ...(await startReference(workDir, log)),
            sign: peerAccessTokens,
          }))
        : Promise.resolve(undefined),
    /**
     * A wrk target for the rounds: GET /api/hello/ with fresh tokens from `server.sign()` each
     * round (access tokens live 5 minutes), after checking one answers as expected.
     */
    async helloTarget(server, { name = server.name, connections = 32 } = {}) {
      const probe = await request(`${server.url}/api/hello/`, {
        headers: { authorization: `Bearer ${server.sign(1)[0]}` },
      })
      expectResponse(`${name} GET /api/hello/`, probe, 200, HELLO_BODY)
      return {
        name,
        measure: (seconds) =>
          runWrk({
            url: `${server.url}/api/hello/`,
            lua: 'bearer-get.lua',
            args: [context.file(`hello-${name}.txt`, server.sign())],
            seconds,
            connections,
          }),
      }
    },
  }
  return context
}
