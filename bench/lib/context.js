// What scenarios share: options, the log, the work dir, and servers started on first use and
// kept for the rest of the run (a Tessera on SQLite, the peers, the reference).

import { expectResponse, request } from './http.js'
import { installPeers, peerAccessTokens, startFastifyFloor, startPeer } from './peers.js'
import { referenceEnabled, startReference } from './reference.js'
import {
  HELLO_BODY,
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
  const context = {
    options,
    log,
    workDir,
    /** Writes one-per-line values to a file of the work dir; returns its path. */
    file: (name, lines) => writeLines(workDir, name, lines),
    /** The main Tessera: SQLite, 1,000 seeded users, one process; with `sign()` for tokens. */
    tessera: () =>
      once('tessera', async () => {
        const instance = await prepareInstance('main')
        log('starting tessera (SQLite, 1 process)')
        const server = await startTessera(instance, { label: 'tessera' })
        return { ...server, sign: await tesseraTokenSigner(server, instance.userIds) }
      }),
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
