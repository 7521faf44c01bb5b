import {
  emailProblem,
  normalizeEmail,
  normalizeUsername,
  USERNAME_MESSAGES,
  usernameKey,
  usernameProblem,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

describe('usernames', () => {
  it('gives look-alikes one canonical key (NFKC + case fold)', () => {
    const key = usernameKey('admin')
    for (const lookAlike of ['Admin', 'ADMIN', 'ａｄｍｉｎ', 'Ａｄｍｉｎ']) {
      expect(usernameKey(lookAlike)).toBe(key)
    }
    expect(usernameKey('straße')).toBe(usernameKey('STRASSE'))
    expect(usernameKey('ﬁona')).toBe(usernameKey('fiona'))
    expect(usernameKey('admin')).not.toBe(usernameKey('admín'))
  })

  it('normalizes with NFKC, as Django does before saving', () => {
    expect(normalizeUsername('ａｄｍｉｎ')).toBe('admin')
    expect(normalizeUsername('Ｐeter')).toBe('Peter')
  })

  it("accepts Django's alphabet: Unicode letters and digits, _ . @ + -", () => {
    for (const name of [
      'peter',
      'peter.parker',
      'p@x.io',
      'a+b',
      'a-b',
      'a_b',
      'José',
      'Пётр',
      '用户',
      '٣',
    ]) {
      expect(usernameProblem(name), name).toBeUndefined()
    }
  })

  it("rejects everything else with Django's messages", () => {
    expect(usernameProblem(undefined)).toBe(USERNAME_MESSAGES.required)
    expect(usernameProblem('')).toBe(USERNAME_MESSAGES.blank)
    expect(usernameProblem('   ')).toBe(USERNAME_MESSAGES.blank)
    for (const bad of ['peter parker', "o'brien", 'a/b', 'a;b', 'x\u0000', '<script>', ['a'], 5]) {
      expect(usernameProblem(bad), String(bad)).toBe(USERNAME_MESSAGES.invalid)
    }
    expect(usernameProblem('a'.repeat(150))).toBeUndefined()
    expect(usernameProblem('a'.repeat(151))).toBe(USERNAME_MESSAGES.tooLong)
    expect(USERNAME_MESSAGES.invalid).toBe(
      'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
    )
  })
})

describe('emails', () => {
  it('lowercases the domain only, as normalize_email does', () => {
    expect(normalizeEmail('  Peter.Parker@Example.COM ')).toBe('Peter.Parker@example.com')
    expect(normalizeEmail('no-at-sign')).toBe('no-at-sign')
  })

  it('accepts valid addresses and the empty value', () => {
    for (const ok of [
      '',
      undefined,
      'p@example.com',
      'first.last+tag@sub.example.co.uk',
      'x@[127.0.0.1]',
    ]) {
      expect(emailProblem(ok), String(ok)).toBeUndefined()
    }
  })

  it('rejects invalid ones', () => {
    for (const bad of [
      'plain',
      '@example.com',
      'p@',
      'p@localhost',
      'a b@example.com',
      'p@@x.io',
      42,
    ]) {
      expect(emailProblem(bad), String(bad)).toBe('Enter a valid email address.')
    }
    expect(emailProblem(`${'a'.repeat(64)}@${'b'.repeat(190)}.com`)).toMatch(/no more than 254/)
  })
})
