// Enumeration by timing (issue 31, item 3): whether a login or a password reset takes longer for
// a known user than for an unknown or an inactive one. The samples are interleaved (one of each
// case per round, the order rotating) so drift on a shared machine falls on every case alike;
// the medians must lie within 10% of each other, or the script exits 1.
// Usage: npm run bench:enumeration -- [--rounds N] (default 200; the server must be built)
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig } from '@tessera/server'
import { median } from './lib/stats.js'

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '200' }, serve: { type: 'boolean' } },
})
const ROUNDS = Number(values.rounds)
const TOLERANCE = 0.1
const PASSWORD = 'correct horse battery'
const WRONG = 'not the password at all'

// The server runs in a child process (this script with --serve): in one process the client would
// only read an answer after the lookup and the mail that follow it (setImmediate), work a
// client over the network never waits for.
if (values.serve) {
  await serve()
} else {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--serve'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const [line] = await once(createInterface({ input: child.stdout }), 'line')
  try {
    await measure(line)
  } finally {
    child.kill()
  }
}

async function serve() {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-enumeration-'))
  const server = await buildServer(
    loadServerConfig({
      env: {
        TESSERA_SIGNING_KEY: 'bench-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP',
        TESSERA_DATA_DIR: dataDir,
        TESSERA_THROTTLE_ANON: 'none',
        TESSERA_THROTTLE_LOGIN_IP: 'none',
        TESSERA_THROTTLE_LOGIN_USERNAME: 'none',
        TESSERA_THROTTLE_REGISTER: 'none',
        TESSERA_THROTTLE_MAIL_IP: 'none',
        TESSERA_THROTTLE_MAIL_EMAIL: 'none',
      },
      configFile: false,
    }),
    { stores: createMemoryStores(), logger: false, mailOutput: { write: () => {} } },
  )
  const ids = []
  for (const username of ['ann', 'ina']) {
    const payload = { username, password: PASSWORD, email: `${username}@example.com` }
    ids.push(
      (await server.app.inject({ method: 'POST', url: '/api/register/', payload })).json().id,
    )
  }
  await server.stores.users.updateUser(String(ids[1]), { isActive: false })
  process.on('SIGTERM', () => {
    rmSync(dataDir, { recursive: true, force: true })
    process.exit(0)
  })
  process.stdout.write(`${await server.app.listen({ host: '127.0.0.1', port: 0 })}\n`)
}

async function measure(base) {
  const post = async (url, payload) => {
    const response = await fetch(`${base}${url}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    })
    return { statusCode: response.status, response }
  }

  /** Each case: the request, and the status every sample must answer (a check it is the case). */
  const CASES = {
    'login, known user, wrong password': [
      () => post('/api/token/', { username: 'ann', password: WRONG }),
      401,
    ],
    'login, unknown user': [
      () => post('/api/token/', { username: 'nobody', password: WRONG }),
      401,
    ],
    'login, inactive user, right password': [
      () => post('/api/token/', { username: 'ina', password: PASSWORD }),
      401,
    ],
    'reset, known address': [
      () => post('/auth/users/reset_password/', { email: 'ann@example.com' }),
      204,
    ],
    'reset, unknown address': [
      () => post('/auth/users/reset_password/', { email: 'nobody@example.com' }),
      204,
    ],
    'reset, inactive address': [
      () => post('/auth/users/reset_password/', { email: 'ina@example.com' }),
      204,
    ],
  }
  const GROUPS = [Object.keys(CASES).slice(0, 3), Object.keys(CASES).slice(3)]

  const samples = Object.fromEntries(Object.keys(CASES).map((name) => [name, []]))
  // Each group on its own (a login's hash must not slow the reset that follows it), and each
  // round in a fresh order (a fixed cycle would put the same case after the same one each time,
  // and the work after one answer, the mail of a found address, onto the next sample).
  let state = 31
  const random = () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31
    return state / 2 ** 31
  }
  for (const group of GROUPS) {
    for (let round = -3; round < ROUNDS; round += 1) {
      const order = [...group].sort(() => random() - 0.5)
      for (const name of order) {
        const [request, status] = CASES[name]
        const start = performance.now()
        const { statusCode, response } = await request()
        const elapsed = performance.now() - start
        const body = await response.text()
        if (statusCode !== status) throw new Error(`${name}: ${statusCode} ${body}`)
        // The first three rounds warm up (JIT, the hashing pool) and are not kept.
        if (round >= 0) samples[name].push(elapsed)
      }
    }
  }

  let failed = false
  for (const group of GROUPS) {
    const medians = group.map((name) => median(samples[name]))
    const spread = Math.max(...medians) / Math.min(...medians) - 1
    for (const [i, name] of group.entries())
      console.log(`${name}: median ${medians[i].toFixed(2)} ms`)
    const verdict = spread <= TOLERANCE ? 'ok' : 'FAIL'
    console.log(
      `  spread ${(spread * 100).toFixed(1)}% (at most ${TOLERANCE * 100}%): ${verdict}\n`,
    )
    if (spread > TOLERANCE) failed = true
  }
  console.log(`${ROUNDS} interleaved rounds`)
  process.exitCode = failed ? 1 : 0
}
