import { durationSeconds, formatDuration, MAX_DURATION_SECONDS, parseDuration } from '@tessera/core'
import { describe, expect, it } from 'vitest'

const FORM = 'must be a duration: seconds (300) or units s/m/h/d/w such as 15m, 1d, 2h30m'

function parseError(value: string | number, setting = 'LEEWAY') {
  try {
    parseDuration(value, setting)
  } catch (error) {
    return error as Error & { code: string; setting: string }
  }
  throw new Error(`expected ${JSON.stringify(value)} to be rejected`)
}

describe('parseDuration', () => {
  it.each([
    ['300', 300],
    ['0', 0],
    ['90s', 90],
    ['15m', 900],
    ['2h', 7200],
    ['1d', 86_400],
    ['1w', 604_800],
    ['2h30m', 9000],
    ['1w2d', 777_600],
    ['1d2h3m4s', 93_784],
    ['0s', 0],
    ['  15m\n', 900],
    ['\t300 ', 300],
    ['3650d', MAX_DURATION_SECONDS],
  ])('reads %j as %i seconds', (text, seconds) => {
    expect(parseDuration(text)).toBe(seconds)
  })

  it('takes non-negative integer numbers as seconds', () => {
    expect(parseDuration(300)).toBe(300)
    expect(parseDuration(0)).toBe(0)
    expect(Object.is(parseDuration(-0), 0)).toBe(true)
    expect(parseDuration(MAX_DURATION_SECONDS)).toBe(MAX_DURATION_SECONDS)
  })

  it.each([
    [''],
    ['   '],
    ['-5'],
    ['-5m'],
    ['1.5'],
    ['1.5h'],
    ['1e3'],
    ['0x10'],
    ['15x'],
    ['15 m'],
    ['2h 30m'],
    ['15M'],
    ['1y'],
    ['1ms'],
    ['m'],
    ['30m2h'],
    ['1s1m'],
    ['1m1m'],
    ['1h2h'],
    ['1d1w'],
    ['+5'],
    ['Infinity'],
    ['NaN'],
    ['５'],
  ])('rejects the string %j', (text) => {
    const error = parseError(text)
    expect(error.code).toBe('settings_invalid')
    expect(error.setting).toBe('LEEWAY')
    expect(error.message).toBe(`LEEWAY ${FORM}; got ${JSON.stringify(text)}`)
  })

  it.each([[-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [Number.NEGATIVE_INFINITY]])(
    'rejects the number %d',
    (value) => {
      expect(parseError(value).message).toBe(`LEEWAY ${FORM}; got "${value}"`)
    },
  )

  it.each([['3651d'], ['522w'], [MAX_DURATION_SECONDS + 1], ['99999999999999999999999']])(
    'rejects %j, above 10 years',
    (value) => {
      expect(parseError(value).message).toMatch(
        /^LEEWAY must be a duration of at most 3650d \(10 years\)/,
      )
    },
  )

  it('rejects overlong input before matching it', () => {
    expect(parseError('9'.repeat(400)).message).toMatch(/^LEEWAY must be a duration: /)
    expect(parseError(`${'1'.repeat(70)}s`).message).toMatch(/^LEEWAY must be a duration: /)
  })

  it('names "duration" when no setting is given', () => {
    expect(() => parseDuration('soon')).toThrow(`duration ${FORM}; got "soon"`)
  })

  it('cuts the echoed value to 40 characters and escapes it', () => {
    const message = parseError(`${'x'.repeat(60)}\n`).message
    expect(message).toContain(`got "${'x'.repeat(40)}…"`)
    expect(parseError('a"b\nc').message).toContain('got "a\\"b\\nc"')
  })
})

describe('durationSeconds', () => {
  it('parses numbers and strings like parseDuration', () => {
    expect(durationSeconds('15m', 'X')).toBe(900)
    expect(durationSeconds(60, 'X')).toBe(60)
  })

  it.each([
    [null, 'null'],
    [true, '"true"'],
    [[300], 'an array'],
    [{ seconds: 1 }, 'an object'],
    [undefined, 'undefined'],
  ])('rejects %j with the same message', (raw, shown) => {
    expect(() => durationSeconds(raw, 'LEEWAY')).toThrow(`LEEWAY ${FORM}; got ${shown}`)
  })
})

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [300, '5m'],
    [9000, '2h30m'],
    [86_400, '1d'],
    [777_600, '1w2d'],
    [93_784, '1d2h3m4s'],
  ])('formats %i as %j', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text)
  })

  it('round-trips through parseDuration', () => {
    for (const seconds of [0, 1, 59, 61, 3599, 3601, 86_399, 1_000_000, MAX_DURATION_SECONDS]) {
      expect(parseDuration(formatDuration(seconds))).toBe(seconds)
    }
  })

  it.each([[-1], [1.5], [Number.NaN]])('refuses %d', (seconds) => {
    expect(() => formatDuration(seconds)).toThrow(RangeError)
  })
})
