// Markdown of the results: one table per scenario, then the goals with PASS/FAIL; and what a
// scenario's chart shows.
import { formatMs, formatRatio, formatRps, median } from './stats.js'

/**
 * A throughput table: server, median req/s, per-round values, ratio of the median against
 * `baseline` (a server name) when given.
 */
export function throughputTable(results, { baseline, unit = 'req/s' } = {}) {
  const medians = new Map(
    [...results].map(([name, runs]) => [name, median(runs.map((r) => r.rps))]),
  )
  const base = baseline === undefined ? undefined : medians.get(baseline)
  const lines = [
    `| Server | Median ${unit} | Rounds | ${base === undefined ? 'Ratio' : `vs ${baseline}`} |`,
    '|---|---:|---|---:|',
  ]
  for (const [name, runs] of results) {
    const ratio = base === undefined ? '' : formatRatio(medians.get(name) / base)
    lines.push(
      `| ${name} | ${formatRps(medians.get(name))} | ${runs.map((r) => formatRps(r.rps)).join(', ')} | ${ratio} |`,
    )
  }
  return { markdown: lines.join('\n'), medians }
}

/** A latency table: server, median p50 and p99 over the rounds, per-round p99. */
export function latencyTable(rows) {
  const lines = ['| Load | Median p50 | Median p99 | p99 per round |', '|---|---:|---:|---|']
  for (const { name, runs } of rows) {
    lines.push(
      `| ${name} | ${formatMs(median(runs.map((r) => r.p50)))} | ${formatMs(median(runs.map((r) => r.p99)))} | ${runs.map((r) => formatMs(r.p99)).join(', ')} |`,
    )
  }
  return lines.join('\n')
}

/**
 * A goal: `measured` is a display string, `pass` true, false, or undefined for "not measured".
 * @typedef {{ scenario: string, goal: string, measured: string, pass: boolean | undefined }} Goal
 */

/** The goals table. @param {Goal[]} goals */
export function goalsTable(goals) {
  const lines = ['| Scenario | Goal | Measured | Result |', '|---|---|---|---|']
  for (const goal of goals) {
    const unmeasured = goal.measured.startsWith('not run') ? 'not measured' : 'no target'
    const result = goal.pass === undefined ? unmeasured : goal.pass ? 'PASS' : 'FAIL'
    lines.push(`| ${goal.scenario} | ${goal.goal} | ${goal.measured} | ${result} |`)
  }
  return lines.join('\n')
}

/**
 * What a scenario's chart shows (the input of svg-chart.js `renderChart`): per server of
 * `chart.results` the median, lowest and highest round of `chart.value` (default req/s),
 * `chart.subject` marked, and the `line` of every goal that has one.
 * @param {string} title
 * @param {{ results: Map<string, object[]>, subject?: string, unit?: string, value?: (run: object) => number, format?: (value: number) => string }} chart
 * @param {Array<{ line?: { value: number, label: string } }>} goals
 */
export function chartOf(title, chart, goals) {
  const value = chart.value ?? ((run) => run.rps)
  const rows = [...chart.results].map(([name, runs]) => {
    const values = runs.map(value)
    return {
      name,
      median: median(values),
      low: Math.min(...values),
      high: Math.max(...values),
      subject: name === chart.subject,
    }
  })
  return {
    title,
    unit: chart.unit ?? 'req/s (higher is better)',
    rows,
    lines: goals.flatMap((goal) => (goal.line === undefined ? [] : [goal.line])),
    ...(chart.format === undefined ? {} : { format: chart.format }),
  }
}
