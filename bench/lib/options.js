// Command-line options of bench/run.js.
import { parseArgs } from 'node:util'

export const SCENARIOS = [
  'hello',
  'embedded-fastify',
  'embedded-express',
  'verify',
  'login',
  'refresh',
  'storm',
  'workers',
  'revoked',
  'reset-request',
]

export const USAGE = `Usage: npm run bench -- [--only hello,verify,...] [--rounds N] [--seconds N] [--write]
  --only      scenarios to run (default all: ${SCENARIOS.join(', ')})
  --rounds    rounds per server (default 3; slow scenarios use fewer)
  --seconds   seconds per round (default 10)
  --write     also write BENCHMARKS.md at the repository root
Env: BENCH_REFERENCE=1 also measures the reference simplejwt server;
     TESSERA_BENCH_POSTGRES_URL (or TESSERA_TEST_POSTGRES_URL) adds refresh on PostgreSQL;
     BENCH_TESSERA_NODE_FLAGS passes flags to the Tessera servers ("--cpu-prof --cpu-prof-dir=DIR").`

/** Parses and checks argv; throws with the usage on a bad option. */
export function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string' },
      rounds: { type: 'string', default: '3' },
      seconds: { type: 'string', default: '10' },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  const rounds = Number(values.rounds)
  const seconds = Number(values.seconds)
  if (!Number.isInteger(rounds) || rounds < 1)
    throw new Error(`--rounds must be an integer >= 1\n${USAGE}`)
  if (!Number.isInteger(seconds) || seconds < 1)
    throw new Error(`--seconds must be an integer >= 1\n${USAGE}`)
  const only = values.only === undefined ? SCENARIOS : values.only.split(',').map((s) => s.trim())
  const unknown = only.filter((name) => !SCENARIOS.includes(name))
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`)
  return { only, rounds, seconds, write: values.write, help: values.help }
}
