// Run by memory.fuzz.test.ts with `node --expose-gc`: serves REQUESTS hostile requests through
// app.inject() on the built server and prints the heap used after a forced GC before and after.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig } from '@tessera/server'

const REQUESTS = Number(process.argv[2] ?? 20000)
const WARM_UP = 2000
const dataDir = mkdtempSync(join(tmpdir(), 'tessera-fuzz-memory-'))
const off = 'none'
const server = await buildServer(
  loadServerConfig({
    env: {
      TESSERA_SIGNING_KEY: 'test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP',
      TESSERA_DATA_DIR: dataDir,
      TESSERA_THROTTLE_ANON: off,
      TESSERA_THROTTLE_USER: off,
      TESSERA_THROTTLE_LOGIN_IP: off,
      TESSERA_THROTTLE_LOGIN_USERNAME: off,
      TESSERA_THROTTLE_REGISTER: off,
    },
    configFile: false,
  }),
  { stores: createMemoryStores(), logger: false, mailOutput: { write: () => {} } },
)
const user = { username: 'fuzzer', password: 'correct horse battery' }
await server.app.inject({ method: 'POST', url: '/api/register/', payload: user })
const { access, refresh } = (
  await server.app.inject({ method: 'POST', url: '/api/token/', payload: user })
).json()

// A fixed cycle of hostile requests that never reach a password hash (which would make 20k
// requests take minutes): mutated tokens, junk bodies, bad headers, unknown paths and methods.
const json = { 'content-type': 'application/json' }
const flip = (token, i) => {
  const at = 10 + (i % (token.length - 20))
  return token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1)
}
const cycle = [
  (i) => ({ method: 'POST', url: '/api/token/verify/', payload: { token: flip(access, i) } }),
  (i) => ({ method: 'POST', url: '/api/token/refresh/', payload: { refresh: flip(refresh, i) } }),
  (i) => ({
    method: 'GET',
    url: '/api/me/',
    headers: { authorization: `Bearer ${flip(access, i)}` },
  }),
  (i) => ({ method: 'GET', url: '/auth/users/me/', headers: { authorization: `Bearer x${i}` } }),
  (i) => ({
    method: 'POST',
    url: '/api/token/',
    headers: json,
    payload: `{"username":${i},"password":[]}`,
  }),
  (i) => ({
    method: 'POST',
    url: '/api/register/',
    headers: json,
    payload: `{"__proto__":{"a":${i}},"username":"\\u0000"}`,
  }),
  (i) => ({ method: 'POST', url: '/auth/users/', headers: json, payload: `{"username":"x${i}"` }),
  (i) => ({
    method: 'POST',
    url: '/api/token/blacklist/',
    headers: { 'content-type': 'text/plain' },
    payload: `${i}`,
  }),
  (i) => ({ method: 'PUT', url: `/api/token/?${i}`, payload: {} }),
  (i) => ({ method: 'GET', url: `/no/such/path/${i}` }),
  (i) => ({
    method: 'POST',
    url: '/api/mfa/confirm/',
    headers: { authorization: `Bearer ${access}`, ...json },
    payload: `{"code":"${i}"}`,
  }),
  (i) => ({
    method: 'GET',
    url: '/api/sessions/',
    headers: { cookie: `tessera_access=${flip(access, i)}; x=${'y'.repeat(i % 500)}` },
  }),
]

let fivexx = 0
async function run(count, offset) {
  for (let i = 0; i < count; i += 1) {
    const response = await server.app.inject(cycle[i % cycle.length](offset + i))
    if (response.statusCode >= 500) fivexx += 1
  }
}
const heap = () => {
  globalThis.gc()
  globalThis.gc()
  return process.memoryUsage().heapUsed
}

await run(WARM_UP, 0)
const before = heap()
await run(REQUESTS, WARM_UP)
const after = heap()
await server.close()
rmSync(dataDir, { recursive: true, force: true })
process.stdout.write(`${JSON.stringify({ requests: REQUESTS, before, after, fivexx })}\n`)
