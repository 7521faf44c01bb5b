import { defaultCommonPasswords, validatePassword } from '@tessera/core'
import { describe, expect, it } from 'vitest'

const codes = (...args: Parameters<typeof validatePassword>) =>
  validatePassword(...args).map((problem) => problem.code)

describe('validatePassword', () => {
  it('accepts a long, uncommon password', () => {
    expect(validatePassword('correct horse battery staple')).toEqual([])
  })

  it('allows at least 64 characters', () => {
    const password = 'Tr0ub4dor&3 correct horse battery staple, then some more words..'
    expect(password).toHaveLength(64)
    expect(validatePassword(password)).toEqual([])
  })

  it('accepts exactly 1024 UTF-8 bytes', () => {
    expect(validatePassword('é'.repeat(512))).toEqual([])
  })

  it('refuses 1025 UTF-8 bytes with only the length problem', () => {
    expect(validatePassword(`${'é'.repeat(512)}1`)).toEqual([
      {
        code: 'password_too_long',
        message: 'This password is too long. It must contain at most 1024 bytes.',
      },
    ])
    // Even a numeric, common, user-similar one: nothing else runs on an oversized input.
    expect(codes('1'.repeat(1025), { username: '1'.repeat(1025) })).toEqual(['password_too_long'])
  })

  describe('minimum length', () => {
    it('uses Django message', () => {
      expect(validatePassword('Zq9#kW2')).toEqual([
        {
          code: 'password_too_short',
          message: 'This password is too short. It must contain at least 8 characters.',
        },
      ])
    })

    it('counts code points, not UTF-16 units', () => {
      expect(codes('😀😀😀😀😀😀😀😀')).toEqual([])
      expect(codes('😀😀😀😀😀😀😀')).toEqual(['password_too_short'])
    })

    it('takes minLength, with a singular message for 1', () => {
      expect(validatePassword('Zq9#kW2xY', undefined, { minLength: 12 })[0]?.message).toBe(
        'This password is too short. It must contain at least 12 characters.',
      )
      expect(validatePassword('', undefined, { minLength: 1 })[0]?.message).toBe(
        'This password is too short. It must contain at least 1 character.',
      )
      expect(() => validatePassword('x', undefined, { minLength: -1 })).toThrow(RangeError)
    })
  })

  describe('common passwords', () => {
    it('uses Django message, ignoring case and surrounding spaces', () => {
      expect(validatePassword('password1')).toEqual([
        { code: 'password_too_common', message: 'This password is too common.' },
      ])
      expect(codes('  PassWord1 ')).toEqual(['password_too_common'])
    })

    it('ships a list of tens of thousands of lowercase entries', () => {
      const list = defaultCommonPasswords()
      expect(list.size).toBeGreaterThan(20_000)
      expect(list.has('qwertyuiop')).toBe(true)
    })

    it('takes a custom list', () => {
      const commonPasswords = new Set(['tessera-default'])
      expect(codes('Tessera-Default', undefined, { commonPasswords })).toEqual([
        'password_too_common',
      ])
      expect(codes('password1', undefined, { commonPasswords })).toEqual([])
    })
  })

  describe('entirely numeric', () => {
    it('uses Django message', () => {
      expect(validatePassword('83920175629')).toEqual([
        { code: 'password_entirely_numeric', message: 'This password is entirely numeric.' },
      ])
    })

    it('matches Python str.isdigit()', () => {
      expect(codes('٣٤٥٦٧٨٩٠١٢٣')).toEqual(['password_entirely_numeric'])
      expect(codes('²³⁴⁵⁶⁷⁸⁹①②')).toEqual(['password_entirely_numeric'])
      expect(codes('83920175629a')).toEqual([])
      expect(codes('½¾½¾½¾½¾½¾')).toEqual([])
    })
  })

  describe('user attribute similarity', () => {
    const user = {
      username: 'testclient',
      first_name: 'Test',
      last_name: 'Client',
      email: 'testclient@example.com',
    }

    it.each([
      ['testclient', 'username'],
      ['TESTCLIENT', 'username'],
      ['testclient1', 'username'],
      // Django measures with quick_ratio, which ignores order: an anagram is as similar.
      ['tneilctset', 'username'],
      ['clientele', 'username'],
      ['Client2024!', 'last name'],
      ['example.com', 'email address'],
      ['exampl3xx', 'email address'],
    ])('refuses %s as too similar to the %s', (password, verboseName) => {
      expect(validatePassword(password, user)).toContainEqual({
        code: 'password_too_similar',
        message: `The password is too similar to the ${verboseName}.`,
      })
    })

    it('names the first name', () => {
      expect(validatePassword('jacqueline1', { first_name: 'Jacqueline' })).toEqual([
        { code: 'password_too_similar', message: 'The password is too similar to the first name.' },
      ])
    })

    it.each(['Zebra-Quartz-91', 'correct horse battery'])('accepts %s', (password) => {
      expect(codes(password, user)).toEqual([])
    })

    it('checks each word of a value, split on non-word characters', () => {
      const curie = { last_name: 'Skłodowska-Curie', email: 'm.curie@sorbonne.fr' }
      expect(codes('skłodowska', curie)).toContain('password_too_similar')
      expect(validatePassword('sorbonne.fr!', curie)[0]?.message).toBe(
        'The password is too similar to the email address.',
      )
      expect(codes('marie-curie99', { first_name: 'Marie', ...curie })).toEqual([])
    })

    it('skips a part far shorter than the password, like Django', () => {
      expect(codes('abxxxxxxxxxxxxxxxxxxxxxxx', { username: 'ab' })).toEqual([])
    })

    it('takes maxSimilarity', () => {
      expect(codes('testclient1', user, { maxSimilarity: 1 })).toEqual([])
      expect(codes('testclient', user, { maxSimilarity: 1 })).toEqual(['password_too_similar'])
      expect(() => validatePassword('x', user, { maxSimilarity: 0.05 })).toThrow(RangeError)
    })

    it('ignores missing and empty attributes', () => {
      expect(codes('testclient', {})).toEqual([])
      expect(codes('testclient', { username: '', email: null })).toEqual([])
      expect(codes('testclient')).toEqual([])
    })
  })

  it('reports every problem in Django validator order', () => {
    expect(codes('12345', { username: '12345' })).toEqual([
      'password_too_similar',
      'password_too_short',
      'password_too_common',
      'password_entirely_numeric',
    ])
  })
})
