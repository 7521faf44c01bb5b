// Tessera's side-by-side benchmark suite: starts Tessera (built packages), the Node peers and,
// with BENCH_REFERENCE=1, the reference simplejwt server; drives them with wrk round by round;
// prints medians, ratios and PASS/FAIL against the goals; --write saves BENCHMARKS.md and a chart
// per scenario under docs/bench/.
// Usage: npm run bench -- [--only hello,verify] [--rounds N] [--seconds N] [--write]
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { createContext } from './lib/context.js'
import { machineSection } from './lib/machine.js'
import { parseOptions, USAGE } from './lib/options.js'
import { cleanupAll } from './lib/processes.js'
import { chartOf, goalsTable } from './lib/report.js'
import { renderChart } from './lib/svg-chart.js'
import { requireBuiltServer } from './lib/tessera.js'
import { ensureWrk } from './lib/wrk.js'

const ROOT = fileURLToPath(new URL('..', import.meta.url))
const WORK_DIR = fileURLToPath(new URL('../.bench', import.meta.url))
/** Where --write puts each scenario's chart, linked from BENCHMARKS.md (relative to it). */
const CHARTS_DIR = 'docs/bench'
const log = (message) => process.stderr.write(`${message}\n`)

/** How to read the goals table: verdicts are on the medians, the rounds show how firm they are. */
const GOALS_NOTE =
  'Results are on the ratio of the medians. In brackets, the lowest and highest ratio of a ' +
  'single round (round i of each server, run one after the other): a verdict whose range ' +
  'straddles the goal could turn with the machine; one whose whole range is on one side holds.'

async function main() {
  const options = parseOptions(process.argv.slice(2))
  if (options.help) {
    log(USAGE)
    return 0
  }
  requireBuiltServer()
  ensureWrk(log)
  mkdirSync(WORK_DIR, { recursive: true })
  const context = createContext({ options, log, workDir: WORK_DIR })
  const sections = []
  const charts = []
  const goals = []
  const failures = []
  const started = Date.now()
  for (const name of options.only) {
    const scenario = await import(`./scenarios/${name}.js`)
    log(`\n== ${scenario.title}`)
    try {
      const result = await scenario.run(context)
      let link = ''
      if (result.chart !== undefined) {
        const file = `${CHARTS_DIR}/${name}.svg`
        charts.push({ file, svg: renderChart(chartOf(scenario.title, result.chart, result.goals)) })
        if (options.write) link = `[![${name} chart](${file})](${file})\n\n`
      }
      sections.push(`## ${scenario.title}\n\n${link}${result.markdown}`)
      for (const goal of result.goals) goals.push({ scenario: name, ...goal })
    } catch (error) {
      // One failed scenario (an error response, a server that would not start) does not hide
      // the others: it is reported as failed, with why.
      log(`!! ${name} FAILED: ${error.stack ?? error}`)
      failures.push(name)
      const why = String(error.message).split('\n').slice(0, 3).join(' ')
      sections.push(`## ${scenario.title}\n\nFAILED: ${why}`)
      goals.push({
        scenario: name,
        goal: 'scenario completes without errors',
        measured: 'failed',
        pass: false,
      })
    }
  }
  const minutes = ((Date.now() - started) / 60_000).toFixed(1)
  const body = [...sections, `## Goals\n\n${GOALS_NOTE}\n\n${goalsTable(goals)}`].join('\n\n')
  process.stdout.write(`\n${body}\n\n(${minutes} min)\n`)
  if (options.write) {
    const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim()
    writeFileSync(`${ROOT}BENCHMARKS.md`, `${machineSection({ command, minutes })}\n\n${body}\n`)
    writeCharts(charts)
    log(`wrote BENCHMARKS.md and ${charts.length} charts in ${CHARTS_DIR}/`)
  }
  // A FAIL against a goal is a result, not an error: only broken scenarios fail the command.
  return failures.length > 0 ? 1 : 0
}

/**
 * Replaces the charts of the last --write with this run's: BENCHMARKS.md is rewritten whole, so
 * a chart of a scenario it no longer shows would be a stale file nothing links to.
 */
function writeCharts(charts) {
  const dir = `${ROOT}${CHARTS_DIR}`
  mkdirSync(dir, { recursive: true })
  for (const file of readdirSync(dir)) {
    if (file.endsWith('.svg')) rmSync(`${dir}/${file}`)
  }
  for (const { file, svg } of charts) writeFileSync(`${ROOT}${file}`, svg)
}

let code = 1
try {
  code = (await main()) ?? 0
} catch (error) {
  log(`bench failed: ${error.message}`)
} finally {
  await cleanupAll()
}
process.exit(code)
