import { describe, expect, it } from 'vitest'
import {
  formatPercentWithRounds,
  formatRatioWithRounds,
  formatRps,
  median,
  percentile,
  roundRatios,
} from '../lib/stats.js'

describe('median', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(median([30, 10, 20])).toBe(20)
  })

  it('takes the mean of the middle two of an even count', () => {
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})

describe('roundRatios', () => {
  it('divides round i of one server by round i of the other, lowest and highest', () => {
    const results = new Map([
      ['tessera', [{ rps: 90 }, { rps: 50 }, { rps: 80 }]],
      ['bare', [{ rps: 100 }, { rps: 100 }, { rps: 80 }]],
    ])
    expect(roundRatios(results, 'tessera', 'bare')).toEqual({ low: 0.5, high: 1 })
  })
})

describe('report formats', () => {
  it('writes a ratio with its per-round range', () => {
    expect(formatRatioWithRounds(0.664, { low: 0.591, high: 0.772 })).toBe(
      '0.66x (rounds 0.59x to 0.77x)',
    )
  })

  it('writes a share with its per-round range', () => {
    expect(formatPercentWithRounds(0.895, { low: 0.8951, high: 0.984 })).toBe(
      '89.5% (rounds 89.5% to 98.4%)',
    )
  })

  it('writes n/a for a figure that could not be measured', () => {
    expect(formatRps(Number.NaN)).toBe('n/a')
    expect(formatRps(16205.6)).toBe('16,206')
  })
})

describe('percentile', () => {
  it('takes the nearest rank: a measured value, never an interpolated one', () => {
    const values = Array.from({ length: 200 }, (_, i) => 200 - i)
    expect(percentile(values, 50)).toBe(100)
    expect(percentile(values, 99)).toBe(198)
    expect(percentile(values, 100)).toBe(200)
    expect(percentile([7], 99)).toBe(7)
    expect(percentile([], 50)).toBeNaN()
  })
})
