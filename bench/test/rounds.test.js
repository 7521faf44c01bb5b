import { describe, expect, it } from 'vitest'
import { alternate } from '../lib/rounds.js'

/** Targets that record when they ran; each round's rps is its position in the whole run. */
function recordingTargets(names) {
  const runs = []
  const targets = names.map((name) => ({
    name,
    measure: async (seconds) => {
      runs.push({ name, seconds })
      return { rps: runs.length }
    },
  }))
  return { runs, targets }
}

describe('alternate', () => {
  it('warms every target up, then reverses the order every other round', async () => {
    const { runs, targets } = recordingTargets(['a', 'b', 'c'])
    const results = await alternate(targets, {
      rounds: 3,
      seconds: 5,
      warmup: 2,
      log: () => {},
      waitForQuiet: async () => 0,
    })
    expect(runs.map((run) => `${run.name}${run.seconds}`).join(' ')).toBe(
      'a2 b2 c2 a5 b5 c5 c5 b5 a5 a5 b5 c5',
    )
    // Results are kept per target in round order; the warm-ups are not among them.
    expect(results.get('a').map((run) => run.rps)).toEqual([4, 9, 10])
    expect(results.get('c').map((run) => run.rps)).toEqual([6, 7, 12])
  })

  it('gives every target the same mean position over two rounds', async () => {
    const { runs, targets } = recordingTargets(['a', 'b', 'c', 'd'])
    await alternate(targets, {
      rounds: 2,
      seconds: 1,
      warmup: 0,
      log: () => {},
      waitForQuiet: async () => 0,
    })
    const positions = new Map()
    runs.forEach((run, index) => {
      positions.set(run.name, (positions.get(run.name) ?? 0) + (index % 4))
    })
    expect([...positions.values()]).toEqual([3, 3, 3, 3])
  })
})
