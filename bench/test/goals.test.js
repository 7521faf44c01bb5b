import { describe, expect, it } from 'vitest'
import { notRunGoal, ratioGoal } from '../lib/goals.js'

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
    })
  })

  it('fails below the factor and takes a goal text', () => {
    const goal = ratioGoal(RESULTS, 'tessera', 'fastify-jwt', 2, { goal: 'two times' })
    expect(goal.pass).toBe(false)
    expect(goal.goal).toBe('two times')
  })

  it('has no verdict for a peer that was not run', () => {
    expect(notRunGoal('tessera >= 15x simplejwt', 'BENCH_REFERENCE=1')).toEqual({
      goal: 'tessera >= 15x simplejwt',
      measured: 'not run (BENCH_REFERENCE=1)',
      pass: undefined,
    })
  })
})
