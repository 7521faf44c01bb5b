import { MAX_THROTTLE_LIMIT, parseRate } from '@tessera/core'
import { describe, expect, it } from 'vitest'

const FORM = 'must be a rate <requests>/<period> such as 5/min, 100/day or 10/5m'

function parseError(value: unknown, setting = 'THROTTLE_RATES.anon') {
  try {
    parseRate(value, setting)
  } catch (error) {
    return error as Error & { code: string; setting: string }
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`)
}

describe('parseRate', () => {
  it.each([
    ['5/min', 5, 60],
    ['100/day', 100, 86_400],
    ['10/second', 10, 1],
    ['3/hour', 3, 3_600],
    ['5/m', 5, 60],
    ['5/s', 5, 1],
    ['5/h', 5, 3_600],
    ['5/d', 5, 86_400],
    // DRF reads only the first letter of the period.
    ['5/minute', 5, 60],
    ['5/mango', 5, 60],
    ['5/days', 5, 86_400],
    ['0/min', 0, 60],
    ['  5/min\n', 5, 60],
    [`${MAX_THROTTLE_LIMIT}/day`, MAX_THROTTLE_LIMIT, 86_400],
  ])('reads %j as %i per %i s (DRF)', (text, limit, windowSeconds) => {
    expect(parseRate(text)).toEqual({ limit, windowSeconds })
  })

  it.each([
    ['10/5m', 10, 300],
    ['10/5min', 10, 300],
    ['1/30s', 1, 30],
    ['100/12h', 100, 43_200],
    ['7/2days', 7, 172_800],
    ['1/1m', 1, 60],
    ['1/3650d', 1, 3650 * 86_400],
  ])('reads the Tessera multiplier form %j as %i per %i s', (text, limit, windowSeconds) => {
    expect(parseRate(text)).toEqual({ limit, windowSeconds })
  })

  it('reads null and "none" as no throttle', () => {
    expect(parseRate(null)).toBeNull()
    expect(parseRate('none')).toBeNull()
    expect(parseRate(' none ')).toBeNull()
  })

  it.each([
    '',
    ' ',
    '5',
    '5/',
    '/min',
    'min',
    '5/x',
    '5/Min',
    '5/MIN',
    '5/1',
    '5 / min',
    '5/ min',
    '-5/min',
    '+5/min',
    '5.5/min',
    '1e3/min',
    '5/min/x',
    '5/0m',
    '5/-1m',
    '5/1.5m',
    '5/m5',
    'five/min',
    'None',
    'null',
    `${MAX_THROTTLE_LIMIT + 1}/day`,
    '1/3651d',
    `5/m${'a'.repeat(100)}`,
  ])('rejects %j naming the setting and the accepted form', (text) => {
    const error = parseError(text)
    expect(error.code).toBe('settings_invalid')
    expect(error.setting).toBe('THROTTLE_RATES.anon')
    expect(error.message).toMatch(/^THROTTLE_RATES\.anon must /)
  })

  it('states the accepted form and echoes the bad value, cut short', () => {
    expect(parseError('5/x').message).toBe(
      `THROTTLE_RATES.anon ${FORM} (period s, m, h or d, optionally preceded by a multiplier), ` +
        'or none; got "5/x"',
    )
    expect(parseError(`9/${'z'.repeat(500)}`).message).toMatch(/got "9\/z{38}…"$/)
  })

  it('explains the range limits', () => {
    expect(parseError('100001/day').message).toMatch(/at most 100000 requests per period/)
    expect(parseError('1/3651d').message).toMatch(/period of at most 3650d/)
  })

  it.each([
    [undefined, 'undefined'],
    [5, '"5"'],
    [{ limit: 5 }, 'an object'],
    [['5/min'], 'an array'],
  ])('rejects the non-string %j', (value, shown) => {
    expect(parseError(value).message).toMatch(new RegExp(`got ${shown}$`))
  })

  it('names the given setting, with a default', () => {
    expect(parseError('x', 'LOGIN_RATE').setting).toBe('LOGIN_RATE')
    expect(() => parseRate('x')).toThrow(/^rate must be a rate/)
  })
})
