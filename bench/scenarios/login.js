// login: POST /api/token/ with correct passwords, against its floor: raw argon2id verifies/s at
// Tessera's parameters (a separate process, 32 verifies in flight, the same cores).
import { spawn } from 'node:child_process'
import { availableParallelism } from 'node:os'
import { fileURLToPath } from 'node:url'
import { expectResponse, request } from '../lib/http.js'
import { throughputTable } from '../lib/report.js'
import { alternate } from '../lib/rounds.js'
import { formatPercentWithRounds, formatRatioWithRounds, roundRatios } from '../lib/stats.js'
import { LOGIN_LOAD_NOTE, PASSWORD, USER_COUNT, username } from '../lib/tessera.js'
import { runWrk } from '../lib/wrk.js'

export const title = 'login: POST /api/token/ (argon2id)'

const FLOOR_SCRIPT = fileURLToPath(new URL('../lib/argon2-floor.js', import.meta.url))

/** Raw argon2id verify rate for `seconds`, in a child process. */
export function argon2Floor(seconds, concurrency = 32) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOOR_SCRIPT, String(seconds), String(concurrency)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.on('close', (code) =>
      code === 0
        ? resolve(JSON.parse(output))
        : reject(new Error(`argon2 floor exited with ${code}`)),
    )
  })
}

/** A wrk target logging in round-robin as the 1,000 seeded users (Tessera) or one user. */
export function loginTarget(context, server, usernames, { connections = LOGIN_CONNECTIONS } = {}) {
  return {
    name: server.name,
    measure: (seconds) =>
      runWrk({
        url: `${server.url}/api/token/`,
        lua: 'login-post.lua',
        args: [context.file(`users-${server.name}.txt`, usernames), PASSWORD],
        seconds,
        connections,
      }),
  }
}

/**
 * Logins in flight. Tessera's hasher admits cores running + 4 x cores queued; beyond that a login
 * waits up to 1 s for room, then gets 503 (by design: backpressure instead of a growing queue),
 * so 32 connections would measure waiting and some refusals. 4 x cores keeps every login admitted.
 */
export const LOGIN_CONNECTIONS = Math.min(32, 4 * availableParallelism())

export const tesseraUsernames = () => Array.from({ length: USER_COUNT }, (_, i) => username(i + 1))

export async function run(context) {
  // As many rounds as the others: with 2, one slow round of the floor or of Tessera moved the
  // ratio by 15% (measured 0.81x and 0.94x in two runs of the same build).
  const { rounds, seconds } = context.options
  const tessera = await context.tesseraForLogins()
  const targets = [
    loginTarget(context, tessera, tesseraUsernames()),
    { name: 'raw argon2id verify (floor)', measure: (s) => argon2Floor(s) },
  ]
  const reference = await context.reference()
  if (reference !== undefined) {
    const probe = await request(`${reference.url}/api/token/`, {
      method: 'POST',
      body: reference.credentials,
    })
    expectResponse('simplejwt login', probe, 200)
    targets.push(loginTarget(context, reference, [reference.credentials.username]))
  }
  const results = await alternate(targets, { rounds, seconds, warmup: 2, log: context.log })
  const { markdown, medians } = throughputTable(results, {
    baseline: 'raw argon2id verify (floor)',
  })
  const share = medians.get('tessera') / medians.get('raw argon2id verify (floor)')
  return {
    markdown:
      `${LOGIN_CONNECTIONS} connections (Tessera's hasher admits cores + 4 x cores logins at once ` +
      `and makes the rest wait, so 32 would measure waiting), ${seconds} s per round, ${rounds} ` +
      `rounds, logins round-robin over the 1,000 users; argon2id m=19456 KiB, t=2, p=1 ` +
      `(Tessera's defaults). The floor is @node-rs/argon2 verify() with 32 calls in flight in a ` +
      `separate process. ${LOGIN_LOAD_NOTE}\n\n${markdown}`,
    goals: [
      {
        goal: 'tessera login >= 90% of raw argon2id verify rate',
        measured: formatPercentWithRounds(
          share,
          roundRatios(results, 'tessera', 'raw argon2id verify (floor)'),
        ),
        pass: share >= 0.9,
        line: {
          value: 0.9 * medians.get('raw argon2id verify (floor)'),
          label: '90% of raw argon2id verify',
        },
      },
      ...(reference === undefined
        ? []
        : [
            {
              goal: 'tessera login vs simplejwt (PBKDF2; reported)',
              measured: formatRatioWithRounds(
                medians.get('tessera') / medians.get('simplejwt'),
                roundRatios(results, 'tessera', 'simplejwt'),
              ),
              pass: undefined,
            },
          ]),
    ],
    chart: { results, subject: 'tessera', unit: 'logins/s (higher is better)' },
  }
}
