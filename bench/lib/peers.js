// The peers of ../shared/bench: what a Node user would pick instead of Tessera. Copied to the
// work dir (the shared dir is read-only) and installed there once with `npm ci`.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { request } from './http.js'
import { accessClaims, signHs256 } from './jwt.js'
import { freePort, startChild, waitUntil } from './processes.js'
import { requireInstrument, siblingSharedPath } from './shared-dir.js'
import { SIGNING_KEY } from './tessera.js'

const SOURCE = process.env.BENCH_PEERS_DIR ?? siblingSharedPath('bench', 'peers')
const FILES = [
  'bare.js',
  'fastify-jwt.js',
  'express-passport.js',
  'package.json',
  'package-lock.json',
]

/** Peer names and their files. */
export const PEERS = {
  bare: 'bare.js',
  'fastify-jwt': 'fastify-jwt.js',
  'express-passport': 'express-passport.js',
}

/** Copies the peers into `<workDir>/peers` and runs `npm ci` there when the lock file changed. */
export function installPeers(workDir, log) {
  requireInstrument(SOURCE, 'the benchmark peers', 'BENCH_PEERS_DIR')
  const target = path.join(workDir, 'peers')
  mkdirSync(target, { recursive: true })
  const lock = path.join(target, 'package-lock.json')
  const fresh =
    existsSync(path.join(target, 'node_modules')) &&
    existsSync(lock) &&
    readFileSync(lock, 'utf8') === readFileSync(path.join(SOURCE, 'package-lock.json'), 'utf8')
  for (const file of FILES) copyFileSync(path.join(SOURCE, file), path.join(target, file))
  if (!fresh) {
    log(`npm ci in ${target}`)
    const run = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
      cwd: target,
      stdio: 'inherit',
    })
    if (run.status !== 0) throw new Error(`npm ci in ${target} failed`)
  }
  return target
}

/**
 * Runs a Node server script on a free port (`PORT`), under `wrapper` when given (a command line
 * such as valgrind's); resolves once it answers GET /api/hello/.
 */
export async function startHelloServer(name, script, { cwd, env = {}, wrapper = [] } = {}) {
  const port = await freePort()
  const [command, ...args] = [...wrapper, process.execPath, script]
  const child = startChild(name, command, args, {
    ...(cwd === undefined ? {} : { cwd }),
    env: { ...process.env, ...env, PORT: String(port) },
  })
  const url = `http://127.0.0.1:${port}`
  await waitUntil(name, async () => (await request(`${url}/api/hello/`)).status > 0, {
    child,
    timeoutMs: wrapper.length === 0 ? 30_000 : 300_000,
  })
  return { name, url, stop: child.stop, pid: child.child.pid }
}

/** Starts one peer on a free port; resolves once it answers a request. */
export function startPeer(peersDir, name) {
  return startHelloServer(name, path.join(peersDir, PEERS[name]), {
    cwd: peersDir,
    env: { REF_SIGNING_KEY: SIGNING_KEY },
  })
}

/**
 * Starts bench/servers/fastify-floor.js (Fastify alone, no auth) on a free port; resolves once it
 * answers. Its tokens are the peers' (it reads none).
 */
export function startFastifyFloor({ wrapper } = {}) {
  const script = fileURLToPath(new URL('../servers/fastify-floor.js', import.meta.url))
  return startHelloServer('fastify-floor', script, { wrapper })
}

/**
 * Starts bench/servers/express-floor.js (Express 5 alone, no auth) on a free port; resolves once
 * it answers. Its tokens are the peers' (it reads none).
 */
export function startExpressFloor() {
  const script = fileURLToPath(new URL('../servers/express-floor.js', import.meta.url))
  return startHelloServer('express-floor', script)
}

/** `count` distinct access tokens for user 1 (different jti), as the peers expect. */
export function peerAccessTokens(count = 1000) {
  const header = { alg: 'HS256', typ: 'JWT' }
  return Array.from({ length: count }, () => signHs256(SIGNING_KEY, header, accessClaims(1)))
}
