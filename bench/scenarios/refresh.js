// refresh: POST /api/token/refresh/ as rotation chains (each refresh token used once, rotation
// and blacklist on): Tessera on SQLite, on PostgreSQL when configured, and the reference.

import { notRunGoal, ratioGoal } from '../lib/goals.js'
import { expectResponse, obtainPairs, request } from '../lib/http.js'
import { createBenchDatabase, postgresAdminUrl } from '../lib/postgres.js'
import { throughputTable } from '../lib/report.js'
import { alternate } from '../lib/rounds.js'
import {
  LOGIN_LOAD_NOTE,
  LOGIN_LOAD_SETTINGS,
  PASSWORD,
  prepareInstance,
  startTessera,
  username,
} from '../lib/tessera.js'
import { runWrk } from '../lib/wrk.js'

export const title = 'refresh: POST /api/token/refresh/ (rotation chains)'

const CHAINS = 32

/**
 * A target whose every round starts 32 new chains: 32 logins (in batches the hasher admits) for
 * `credentials(i)`, then wrk follows each chain with the refresh-chain script.
 */
function chainTarget(context, server, credentials) {
  return {
    name: server.name,
    async measure(seconds) {
      const pairs = await obtainPairs(
        server.url,
        // One more than the chains: wrk's own check of the script consumes one (see the lua).
        Array.from({ length: CHAINS + 1 }, (_, i) => credentials(i)),
      )
      return runWrk({
        url: `${server.url}/api/token/refresh/`,
        lua: 'refresh-chain.lua',
        args: [
          context.file(
            `refresh-${server.name}.txt`,
            pairs.map((pair) => pair.refresh),
          ),
        ],
        seconds,
        connections: CHAINS,
      })
    },
  }
}

/** Tessera on a fresh PostgreSQL database with one registered user. */
async function tesseraOnPostgres(adminUrl, log) {
  const databaseUrl = await createBenchDatabase(adminUrl)
  const instance = await prepareInstance('postgres', { databaseUrl })
  log('starting tessera (PostgreSQL)')
  const server = await startTessera(instance, {
    label: 'tessera-postgres',
    env: LOGIN_LOAD_SETTINGS,
  })
  const registered = await request(`${server.url}/api/register/`, {
    method: 'POST',
    body: {
      username: 'peter',
      password: PASSWORD,
      email: 'peter@example.com',
      first_name: 'Peter',
      last_name: 'Parker',
    },
  })
  expectResponse('tessera-postgres register', registered, 201)
  return server
}

export async function run(context) {
  const { rounds, seconds } = context.options
  const sqlite = await context.tesseraForLogins()
  const targets = [
    chainTarget(context, { ...sqlite, name: 'tessera-sqlite' }, (i) => ({
      username: username(i + 1),
      password: PASSWORD,
    })),
  ]
  const adminUrl = postgresAdminUrl()
  if (adminUrl !== undefined) {
    const postgres = await tesseraOnPostgres(adminUrl, context.log)
    targets.push(chainTarget(context, postgres, () => ({ username: 'peter', password: PASSWORD })))
  }
  const reference = await context.reference()
  if (reference !== undefined) {
    targets.push(chainTarget(context, reference, () => reference.credentials))
  }
  const results = await alternate(targets, { rounds, seconds, log: context.log })
  const { markdown } = throughputTable(results, {
    baseline: reference === undefined ? undefined : 'simplejwt',
  })
  const goal = 'tessera-sqlite refresh >= 10x simplejwt'
  return {
    markdown:
      `${CHAINS} connections, each following its own chain (a fresh login per chain before every ` +
      `round); ${seconds} s per round, ${rounds} rounds. PostgreSQL ` +
      `${adminUrl === undefined ? 'not measured (set TESSERA_BENCH_POSTGRES_URL)' : 'on a fresh database'}. ` +
      `${LOGIN_LOAD_NOTE}` +
      `\n\n${markdown}`,
    goals: [
      reference === undefined
        ? notRunGoal(goal, 'BENCH_REFERENCE=1')
        : ratioGoal(results, 'tessera-sqlite', 'simplejwt', 10, { goal }),
    ],
    chart: { results, subject: 'tessera-sqlite', unit: 'refreshes/s (higher is better)' },
  }
}
