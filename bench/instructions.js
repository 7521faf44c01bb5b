// Instructions per authenticated GET /api/hello/, counted by callgrind, for Tessera and the
// Fastify floor. On the 2-core VMs the suite runs on, wrk's req/s drift by up to 30% from one
// round to the next; an instruction count repeats within about 1% (a major garbage collection
// falling in the count adds about 5,000 per request), so it tells whether a hot-path change
// helped. It is not a goal: the kernel's share of a request and cache misses are not counted, so
// instructions are not time.
// Usage: npm run bench:instructions -- [--requests N] [--warmup N] [--keep] [--env NAME=VALUE]...
// --env sets a setting of the Tessera server (e.g. --env TESSERA_LOG_LEVEL=warn to count it
// without its access log; by default it runs as `tessera serve` starts, the log to a file).
// --keep leaves the callgrind dumps (their paths are printed) for callgrind_annotate.
import { spawnSync } from 'node:child_process'
import { readFileSync, rmSync } from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { ensureAptCommand } from './lib/apt.js'
import { startFastifyFloor } from './lib/peers.js'
import { cleanupAll, onCleanup } from './lib/processes.js'
import {
  prepareInstance,
  requireBuiltServer,
  startTessera,
  tesseraTokenSigner,
} from './lib/tessera.js'

const log = (message) => process.stderr.write(`${message}\n`)

/** Sends `count` GETs over the agent's 16 connections, tokens round-robin; throws on a non-200. */
function sendHellos(url, tokens, count, agent) {
  return new Promise((resolve, reject) => {
    let started = 0
    let finished = 0
    const next = () => {
      if (started === count) return
      const token = tokens[started++ % tokens.length]
      http
        .get(
          `${url}/api/hello/`,
          { agent, headers: { authorization: `Bearer ${token}` } },
          (res) => {
            res.resume()
            res.on('end', () => {
              if (res.statusCode !== 200)
                reject(new Error(`GET /api/hello/ answered ${res.statusCode}`))
              else if (++finished === count) resolve()
              else next()
            })
          },
        )
        .on('error', reject)
    }
    for (let i = 0; i < 16; i++) next()
  })
}

/**
 * Starts a server under callgrind with instrumentation off, warms it up, counts the instructions
 * of `requests` requests (every thread of the process) and stops it.
 */
async function count(name, start, tokens, { requests, warmup, keep }) {
  const out = path.join(os.tmpdir(), `tessera-instructions-${process.pid}-${name}.out`)
  if (keep) log(`  callgrind dump of the count: ${out}.1`)
  else {
    onCleanup(`${name} callgrind files`, () => {
      for (const file of [out, `${out}.1`]) rmSync(file, { force: true })
    })
  }
  const wrapper = [
    'valgrind',
    '--tool=callgrind',
    // Node's JIT writes code at run time: valgrind must see it.
    '--smc-check=all-non-file',
    '--instr-atstart=no',
    `--callgrind-out-file=${out}`,
  ]
  log(`starting ${name} under callgrind (slow)`)
  const server = await start(wrapper)
  // The same 16 connections for the warm-up and the count: closing them in between would run
  // code the warm-up never ran, and V8 would be recompiling it during the count.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 })
  log(`  warm-up: ${warmup} requests`)
  await sendHellos(server.url, tokens, warmup, agent)
  const control = (...args) => spawnSync('callgrind_control', [...args, String(server.pid)])
  control('-i', 'on')
  await sendHellos(server.url, tokens, requests, agent)
  control('-i', 'off')
  control('-d')
  agent.destroy()
  await server.stop()
  const totals = /^totals: (\d+)$/m.exec(readFileSync(`${out}.1`, 'utf8'))
  if (totals === null) throw new Error(`no totals in the callgrind dump of ${name}`)
  return Number(totals[1]) / requests
}

async function main() {
  const { values } = parseArgs({
    options: {
      requests: { type: 'string', default: '10000' },
      warmup: { type: 'string', default: '20000' },
      keep: { type: 'boolean', default: false },
      env: { type: 'string', multiple: true, default: [] },
    },
  })
  const env = Object.fromEntries(
    values.env.map((pair) => {
      const at = pair.indexOf('=')
      if (at < 1) throw new Error(`--env takes NAME=VALUE, got ${JSON.stringify(pair)}`)
      return [pair.slice(0, at), pair.slice(at + 1)]
    }),
  )
  const requests = Number(values.requests)
  const warmup = Number(values.warmup)
  if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(warmup) || warmup < 0) {
    throw new Error('--requests must be a whole number >= 1 and --warmup >= 0')
  }
  const { keep } = values
  requireBuiltServer()
  ensureAptCommand('valgrind', log)
  const instance = await prepareInstance('instructions')
  const signer = await startTessera(instance, { label: 'token signer' })
  // 1,000 distinct tokens of ONE user: at callgrind's pace the user cache's 5 s freshness would
  // reload 1,000 users every few hundred requests and put SQLite reads in the count. They live an
  // hour: at callgrind's pace on a busy machine, both servers' counts can outlast Tessera's 5 min.
  const tokens = (await tesseraTokenSigner(signer, instance.userIds.slice(0, 1), 3600))()
  await signer.stop()
  const options = { requests, warmup, keep }
  const tessera = await count(
    'tessera',
    (wrapper) => startTessera(instance, { wrapper, env }),
    tokens,
    options,
  )
  const floor = await count(
    'fastify-floor',
    (wrapper) => startFastifyFloor({ wrapper }),
    tokens,
    options,
  )
  const row = (name, value) => `| ${name} | ${Math.round(value).toLocaleString('en-US')} |`
  process.stdout.write(
    [
      `Instructions per GET /api/hello/ (callgrind, all threads; ${requests} requests after ${warmup}):`,
      '',
      '| Server | Instructions per request |',
      '|---|---:|',
      row('tessera', tessera),
      row('fastify-floor', floor),
      '',
      `tessera = ${(tessera / floor).toFixed(2)}x the floor's instructions`,
      '',
    ].join('\n'),
  )
}

try {
  await main()
} finally {
  await cleanupAll()
}
