// storm: hello latency on Tessera while a login storm (argon2id on every request) hits the same
// server. Logins run off the event loop, so authenticated requests should barely notice.

import { waitForQuietMachine } from '../lib/quiet.js'
import { latencyTable } from '../lib/report.js'
import { formatMs, formatRps, median } from '../lib/stats.js'
import { LOGIN_LOAD_NOTE, PASSWORD } from '../lib/tessera.js'
import { runWrk } from '../lib/wrk.js'
import { tesseraUsernames } from './login.js'

export const title = 'storm: hello latency during a login storm'

const HELLO_CONNECTIONS = 8
const STORM_CONNECTIONS = 32
const GOAL_P99_MS = 10

export async function run(context) {
  const { rounds, seconds } = context.options
  const { log } = context
  const tessera = await context.tesseraForLogins()
  const hello = await context.helloTarget(tessera, { connections: HELLO_CONNECTIONS })
  const usersFile = context.file('users-storm.txt', tesseraUsernames())
  const calm = []
  const stormy = []
  const storms = []
  for (let round = 1; round <= rounds; round++) {
    // Calm means calm: the last round's storm leaves logins in flight when its wrk stops.
    await waitForQuietMachine(log)
    calm.push(await hello.measure(seconds))
    // The storm starts 1 s before and ends 1 s after the hello measurement. Beyond what the
    // hasher admits (cores + 4 x cores) a login waits up to 1 s for room, then is refused with
    // 503: counted, expected.
    const storm = runWrk({
      url: `${tessera.url}/api/token/`,
      lua: 'login-post.lua',
      args: [usersFile, PASSWORD],
      seconds: seconds + 2,
      connections: STORM_CONNECTIONS,
      expectSuccess: false,
    })
    await new Promise((resolve) => setTimeout(resolve, 1000))
    stormy.push(await hello.measure(seconds))
    const result = await storm
    storms.push({ ...result, ok: (result.requests - result.non2xx) / result.duration })
    log(
      `  round ${round}/${rounds}: hello p99 ${formatMs(calm.at(-1).p99)} calm, ${formatMs(stormy.at(-1).p99)} in the storm`,
    )
  }
  const p99 = median(stormy.map((r) => r.p99))
  const loginsOk = median(storms.map((s) => s.ok))
  const refused = median(storms.map((s) => s.non2xx / s.duration))
  const loads = [
    { name: `hello alone (-c${HELLO_CONNECTIONS})`, runs: calm },
    { name: `hello during the storm (-c${HELLO_CONNECTIONS})`, runs: stormy },
  ]
  const table = latencyTable(loads)
  return {
    markdown:
      `hello with ${HELLO_CONNECTIONS} connections for ${seconds} s, alone and while wrk sends ` +
      `logins with ${STORM_CONNECTIONS} connections to the same server; ${rounds} rounds. ` +
      `${LOGIN_LOAD_NOTE}\n\n${table}\n\n` +
      `During the storm: ${formatRps(loginsOk)} logins/s answered 200, ${formatRps(refused)}/s refused ` +
      `with 503 (no room in the hasher's queue within 1 s, by design); hello ran at ${formatRps(median(stormy.map((r) => r.rps)))} req/s ` +
      `(alone: ${formatRps(median(calm.map((r) => r.rps)))}).`,
    goals: [
      {
        goal: `hello p99 <= ${GOAL_P99_MS} ms during a login storm`,
        measured: formatMs(p99),
        pass: p99 <= GOAL_P99_MS,
        line: { value: GOAL_P99_MS, label: `p99 <= ${GOAL_P99_MS} ms` },
      },
    ],
    chart: {
      results: new Map(loads.map((load) => [load.name, load.runs])),
      subject: loads[1].name,
      unit: 'hello p99 latency, ms (lower is better)',
      value: (run) => run.p99,
      format: formatMs,
    },
  }
}
