import type { UserRecord } from '@tessera/core'
import {
  DEFAULT_PASSWORD_RESET_TIMEOUT,
  decodeUid,
  encodeUid,
  UserTokenGenerator,
} from '@tessera/core/mail'
import { describe, expect, it } from 'vitest'

const NOW = 1_800_000_000
const SECRET = 'a-test-secret-of-at-least-32-bytes!!'

const user: UserRecord = {
  id: '7',
  username: 'peter',
  usernameKey: 'peter',
  email: 'peter@example.com',
  firstName: '',
  lastName: '',
  password: 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  lastLogin: NOW - 100,
  dateJoined: NOW - 1000,
  profile: {},
}

function generator(at: { now: number }, timeout?: number) {
  return new UserTokenGenerator({
    secret: SECRET,
    clock: () => at.now,
    ...(timeout === undefined ? {} : { timeout }),
  })
}

describe('UserTokenGenerator', () => {
  it("makes Django's shape: base36 seconds since 2001, a dash, 32 hex digits", () => {
    const token = generator({ now: NOW }).make(user, 'password_reset')
    expect(token).toMatch(/^[0-9a-z]+-[0-9a-f]{32}$/)
    expect(Number.parseInt(token.split('-')[0] as string, 36)).toBe(NOW - 978_307_200)
  })

  it('checks a token until the timeout (3 days by default), not after', () => {
    const at = { now: NOW }
    const tokens = generator(at)
    const token = tokens.make(user, 'password_reset')
    at.now = NOW + DEFAULT_PASSWORD_RESET_TIMEOUT
    expect(tokens.check(user, 'password_reset', token)).toBe(true)
    at.now += 1
    expect(tokens.check(user, 'password_reset', token)).toBe(false)
    const short = generator({ now: NOW + 61 }, 60)
    expect(short.check(user, 'password_reset', token)).toBe(false)
  })

  it('dies when the password, last login, email, username or activation changes', () => {
    const tokens = generator({ now: NOW })
    const token = tokens.make(user, 'password_reset')
    expect(tokens.check(user, 'password_reset', token)).toBe(true)
    for (const change of [
      { password: 'argon2$other' },
      { lastLogin: NOW },
      { lastLogin: null },
      { email: 'other@example.com' },
      { username: 'peter2' },
      { isActive: false },
      { id: '8' },
    ]) {
      expect(tokens.check({ ...user, ...change }, 'password_reset', token)).toBe(false)
    }
  })

  it('binds the purpose, the extra state and the secret', () => {
    const tokens = generator({ now: NOW })
    const token = tokens.make(user, 'activation')
    expect(tokens.check(user, 'password_reset', token)).toBe(false)
    expect(tokens.check(user, 'activation', token)).toBe(true)
    const change = tokens.make(user, 'email_change', 'new@example.com')
    expect(tokens.check(user, 'email_change', change, 'new@example.com')).toBe(true)
    expect(tokens.check(user, 'email_change', change, 'evil@example.com')).toBe(false)
    const other = new UserTokenGenerator({ secret: `${SECRET}x`, clock: () => NOW })
    expect(other.check(user, 'activation', token)).toBe(false)
  })

  it('refuses malformed tokens and future timestamps without throwing', () => {
    const tokens = generator({ now: NOW })
    const token = tokens.make(user, 'password_reset')
    const [ts, hash] = token.split('-') as [string, string]
    const future = generator({ now: NOW + 10 }).make(user, 'password_reset')
    for (const bad of [
      '',
      'x',
      `${ts}-${hash.toUpperCase()}`,
      `${ts}-${hash.slice(1)}`,
      `${ts}-${hash}0`,
      ` ${token}`,
      `${token}\n`,
      'zzzzzzzzzzzzz-00000000000000000000000000000000',
      future,
      null,
      42,
      ['a'],
    ]) {
      expect(tokens.check(user, 'password_reset', bad)).toBe(false)
    }
  })

  it('refuses a short secret', () => {
    expect(() => new UserTokenGenerator({ secret: 'short' })).toThrow(/at least 32 bytes/)
  })
})

describe('uid', () => {
  it("encodes as djoser's encode_uid and decodes only the canonical form", () => {
    expect(encodeUid('1')).toBe('MQ')
    expect(encodeUid('42')).toBe('NDI')
    expect(decodeUid('MQ')).toBe('1')
    expect(decodeUid('NDI')).toBe('42')
    for (const bad of ['MQ==', 'MR', 'MA', 'YWJj', '', 'M Q', '%4D', null, 1, 'MDE']) {
      expect(decodeUid(bad)).toBeUndefined()
    }
  })
})
