import { describe, expect, it } from 'vitest'
import { notRunGoal, ratioGoal } from '../lib/goals.js'
import { chartOf } from '../lib/report.js'

const RESULTS = new Map([
  ['tessera', [{ rps: 30 }, { rps: 36 }, { rps: 33 }]],
  ['fastify-jwt', [{ rps: 20 }, { rps: 20 }, { rps: 24 }]],
])

describe('ratioGoal', () => {
  it('judges the ratio of the medians and gives its per-round range', () => {
    expect(ratioGoal(RESULTS, 'tessera', 'fastify-jwt', 1.5)).toEqual({
      goal: 'tessera >= 1.5x fastify-jwt',
      measured: '1.65x (rounds 1.38x to 1.80x)',
      pass: true,
      line: { value: 30, label: '1.5x fastify-jwt' },
    })
  })

  it('fails below the factor and takes a goal text', () => {
    const goal = ratioGoal(RESULTS, 'tessera', 'fastify-jwt', 2, { goal: 'two times' })
    expect(goal.pass).toBe(false)
    expect(goal.goal).toBe('two times')
    expect(goal.line.value).toBe(40)
  })

  it('has no verdict for a peer that was not run', () => {
    expect(notRunGoal('tessera >= 15x simplejwt', 'BENCH_REFERENCE=1')).toEqual({
      goal: 'tessera >= 15x simplejwt',
      measured: 'not run (BENCH_REFERENCE=1)',
      pass: undefined,
    })
  })
})

describe('chartOf', () => {
  it('gives each server its median and round range, the subject marked, the goal lines', () => {
    const goals = [ratioGoal(RESULTS, 'tessera', 'fastify-jwt', 1.5), notRunGoal('x', 'y')]
    expect(chartOf('hello', { results: RESULTS, subject: 'tessera' }, goals)).toEqual({
      title: 'hello',
      unit: 'req/s (higher is better)',
      rows: [
        { name: 'tessera', median: 33, low: 30, high: 36, subject: true },
        { name: 'fastify-jwt', median: 20, low: 20, high: 24, subject: false },
      ],
      lines: [{ value: 30, label: '1.5x fastify-jwt' }],
    })
  })

  it('charts another measure than req/s', () => {
    const results = new Map([['alone', [{ p99: 2 }, { p99: 4 }]]])
    const chart = chartOf('storm', { results, unit: 'ms', value: (run) => run.p99 }, [])
    expect(chart.rows[0]).toMatchObject({ median: 3, low: 2, high: 4 })
    expect(chart.unit).toBe('ms')
  })
})
