import {
  isBlank,
  isStorableText,
  NOT_BLANK_PATTERN,
  passwordFieldProblems,
  textProblems,
} from '@tessera/core/char-field'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'

const NUL = 'Null characters are not allowed.'
const BLANK = 'This field may not be blank.'

describe('textProblems: DRF CharField text validators', () => {
  it.each([
    ['a\u0000b', [NUL]],
    ['\u0000', [NUL]],
    ['x\ud800', ['Surrogate characters are not allowed: U+D800.']],
    ['\udfffx', ['Surrogate characters are not allowed: U+DFFF.']],
    // DRF names the first lone surrogate only, after the null message.
    ['\u0000\udbff\udc00\udc01', [NUL, 'Surrogate characters are not allowed: U+DC01.']],
  ])('%j -> %j', (text, problems) => {
    expect(textProblems(text)).toEqual(problems)
    expect(isStorableText(text)).toBe(false)
  })

  it('has nothing to say about well-formed text, astral characters included', () => {
    for (const text of [
      '',
      ' ',
      'peter',
      '🔐👩🏽‍💻',
      '\ud83d\ude00',
      'é ß Ǆ',
      '\u0001\u001f\u007f',
    ]) {
      expect(textProblems(text)).toEqual([])
      expect(isStorableText(text)).toBe(true)
    }
  })

  it('agrees with String#isWellFormed on surrogates, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const wellFormed = (text as string & { isWellFormed(): boolean }).isWellFormed()
        expect(isStorableText(text)).toBe(wellFormed && !text.includes('\u0000'))
      }),
    )
  })
})

describe('passwordFieldProblems: the one rule of every password field', () => {
  it('is blank when empty or whitespace only, and never trims anything else', () => {
    for (const blank of ['', ' ', '          ', '\t\r\n', '\u00a0\u2003\u3000\ufeff']) {
      expect(passwordFieldProblems(blank)).toEqual([BLANK])
    }
    for (const kept of [' pass word ', '\tx', 'x\n', ' \u0001 ']) {
      expect(passwordFieldProblems(kept)).toEqual([])
    }
    expect(passwordFieldProblems(' \u0000 ')).toEqual([NUL])
  })

  it("answers DRF's messages for a missing, null or non-string value", () => {
    expect(passwordFieldProblems(undefined)).toEqual(['This field is required.'])
    expect(passwordFieldProblems(null)).toEqual(['This field may not be null.'])
    expect(passwordFieldProblems(['a'])).toEqual(['Not a valid string.'])
  })

  it('calls blank exactly what the request schemas call blank (their pattern)', () => {
    const schemaPattern = new RegExp(NOT_BLANK_PATTERN, 'u')
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(isBlank(text)).toBe(!schemaPattern.test(text))
        expect(isBlank(text)).toBe(text.trim() === '')
      }),
    )
  })
})
