// reset-request: POST /auth/users/reset_password/ for addresses that have an account and for
// addresses that do not, one request at a time, alternating: the medians must be within 10%, so
// that the time of the answer does not tell which addresses exist (the body and the headers are
// identical by construction; packages/fastify/test/djoser-routes.test.ts checks them).
import { performance } from 'node:perf_hooks'
import { expectResponse, request } from '../lib/http.js'
import { median } from '../lib/stats.js'
import { prepareInstance, startTessera, USER_COUNT, username } from '../lib/tessera.js'

export const title = 'reset-request: reset_password, known vs unknown addresses (timing)'

/** The largest gap allowed between the two medians, as a share of the unknown one. */
const MAX_GAP = 0.1

/** The p-th percentile (0-100) of `values`. */
function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]
}

/**
 * Time for the mail work a known address starts after its answer (a lookup, a template, an
 * outbox row, a delivery) before the next probe: an attacker measures one answer at a time; a
 * probe sent into that work would time the previous request's, not its own.
 */
const SETTLE_MS = 3

async function timedReset(url, email) {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
  const started = performance.now()
  const response = await request(`${url}/auth/users/reset_password/`, {
    method: 'POST',
    body: { email },
  })
  const ms = performance.now() - started
  expectResponse(`reset_password for ${email}`, response, 204)
  return ms
}

export async function run(context) {
  const { rounds, seconds } = context.options
  const instance = await prepareInstance('reset')
  context.log('starting tessera (mail throttles off, file mail backend)')
  // One client address sends the whole load: the per-address and per-IP mail throttles (3 and
  // 10 an hour) would refuse it. Mail goes to files in the data dir, after each answer.
  const server = await startTessera(instance, {
    label: 'tessera (mail throttles off)',
    env: {
      TESSERA_THROTTLE_MAIL_EMAIL: 'off',
      TESSERA_THROTTLE_MAIL_IP: 'off',
      TESSERA_EMAIL_BACKEND: 'file',
      TESSERA_LOG_LEVEL: 'warn',
    },
  })
  const times = { known: [], unknown: [] }
  let n = 0
  const next = () => {
    n += 1
    return {
      known: `${username((n % USER_COUNT) + 1)}@example.com`,
      unknown: `nobody${String(n).padStart(6, '0')}@example.com`,
    }
  }
  // Warm-up: JIT, connections, the outbox's first writes.
  for (let i = 0; i < 200; i++) {
    const { known, unknown } = next()
    await timedReset(server.url, known)
    await timedReset(server.url, unknown)
  }
  for (let round = 0; round < rounds; round++) {
    const until = performance.now() + seconds * 1000
    while (performance.now() < until) {
      // Alternate which goes first, so neither kind always follows the other's leftover work.
      const { known, unknown } = next()
      if (n % 2 === 0) {
        times.known.push(await timedReset(server.url, known))
        times.unknown.push(await timedReset(server.url, unknown))
      } else {
        times.unknown.push(await timedReset(server.url, unknown))
        times.known.push(await timedReset(server.url, known))
      }
    }
    context.log(`round ${round + 1}: ${times.known.length} pairs`)
  }
  await server.stop()
  const known = median(times.known)
  const unknown = median(times.unknown)
  const gap = Math.abs(known - unknown) / unknown
  const row = (name, values) =>
    `| ${name} | ${values.length} | ${median(values).toFixed(3)} ms | ${percentile(values, 90).toFixed(3)} ms | ${percentile(values, 99).toFixed(3)} ms |`
  return {
    markdown:
      `One request at a time, ${SETTLE_MS} ms apart, alternating an address of one of the ${USER_COUNT} seeded users ` +
      'and an address nobody has, for ' +
      `${rounds} x ${seconds} s after 200 pairs of warm-up; SQLite, one process, mail throttles ` +
      'off (the load comes from one address), the file mail backend. A known address gets a ' +
      'reset mail written to the outbox and delivered after the answer; the answer itself is ' +
      'the same 204 for both.\n\n' +
      '| address | requests | median | p90 | p99 |\n|---|---:|---:|---:|---:|\n' +
      `${row('known', times.known)}\n${row('unknown', times.unknown)}\n\n` +
      `Medians differ by ${(gap * 100).toFixed(1)}%.`,
    goals: [
      {
        goal: `reset_password median, known vs unknown address, within ${MAX_GAP * 100}%`,
        measured: `${(gap * 100).toFixed(1)}% (${known.toFixed(3)} vs ${unknown.toFixed(3)} ms)`,
        pass: gap <= MAX_GAP,
      },
    ],
  }
}
