import {
  describeSettings,
  RESERVED_CLAIMS,
  type SettingSpec,
  type SettingsInput,
  settingSpecs,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

function rejection(spec: SettingSpec<unknown>, raw: unknown) {
  try {
    spec.parse(raw)
  } catch (error) {
    return error as Error & { code: string; setting: string }
  }
  throw new Error(`expected ${spec.name} to reject ${JSON.stringify(raw)}`)
}

describe('each setting rejects bad values, naming itself and the accepted form', () => {
  const cases: [keyof SettingsInput, unknown, string][] = [
    ['ACCESS_TOKEN_LIFETIME', 0, 'must be a duration greater than 0; got "0"'],
    ['ACCESS_TOKEN_LIFETIME', '0m', 'must be a duration greater than 0; got "0m"'],
    ['REFRESH_TOKEN_LIFETIME', '1 day', 'must be a duration: seconds (300) or units'],
    ['SLIDING_TOKEN_LIFETIME', '0s', 'must be a duration greater than 0'],
    ['SLIDING_TOKEN_REFRESH_LIFETIME', -1, 'must be a duration: seconds (300)'],
    ['LEEWAY', '-1', 'must be a duration: seconds (300)'],
    ['LEEWAY', true, 'must be a duration: seconds (300)'],
    ['ROTATE_REFRESH_TOKENS', 'true', 'must be a boolean (true or false); got "true"'],
    ['BLACKLIST_AFTER_ROTATION', 1, 'must be a boolean (true or false); got "1"'],
    ['ALGORITHM', 'hs256', 'must be one of HS256, HS384, HS512, RS256, ES256, EdDSA; got "hs256"'],
    ['ALGORITHM', 'none', 'must be one of HS256, HS384, HS512, RS256, ES256, EdDSA; got "none"'],
    ['ENV', 'prod', 'must be one of development, production, test; got "prod"'],
    ['AUDIENCE', '', 'must be a non-empty string; got ""'],
    ['ISSUER', ['a'], 'must be a non-empty string; got an array'],
    [
      'AUTH_HEADER_TYPES',
      [],
      'must be a non-empty list of auth schemes (HTTP tokens such as Bearer)',
    ],
    ['AUTH_HEADER_TYPES', ['Bearer', 'a b'], 'got "a b"'],
    ['AUTH_HEADER_TYPES', 'Bearer', 'must be a non-empty list of auth schemes'],
    ['USER_ID_CLAIM', '', 'must be a claim name matching ^[A-Za-z_][A-Za-z0-9_:.-]{0,63}$; got ""'],
    ['USER_ID_CLAIM', '1id', 'must be a claim name matching'],
    ['TOKEN_TYPE_CLAIM', 'token type', 'must be a claim name matching'],
    ['JTI_CLAIM', 'a'.repeat(65), 'must be a claim name matching'],
    ['SLIDING_TOKEN_REFRESH_EXP_CLAIM', 42, 'must be a claim name matching'],
    ['MFA_TOKEN_LIFETIME', 0, 'must be a duration greater than 0'],
    ['MFA_TRUSTED_DEVICE_LIFETIME', 'a month', 'must be a duration: seconds (300)'],
    ['MFA_ISSUER', 'Acme:Corp', 'must be 1-64 characters without ":" or control characters'],
    ['MFA_ISSUER', 'Acme\nCorp', 'must be 1-64 characters without ":" or control characters'],
    ['MFA_ISSUER', '', 'must be 1-64 characters'],
    ['MFA_REQUIRED_FOR_STAFF', 'yes', 'must be a boolean (true or false)'],
  ]

  it.each(cases)('%s rejects %j', (name, raw, message) => {
    const error = rejection(settingSpecs[name] as SettingSpec<unknown>, raw)
    expect(error.code).toBe('settings_invalid')
    expect(error.setting).toBe(name)
    expect(error.message.startsWith(`${name} `)).toBe(true)
    expect(error.message).toContain(message)
  })

  it.each(RESERVED_CLAIMS.map((claim) => [claim]))(
    'claim settings refuse the reserved %s',
    (claim) => {
      for (const name of ['USER_ID_CLAIM', 'TOKEN_TYPE_CLAIM', 'JTI_CLAIM'] as const) {
        expect(rejection(settingSpecs[name] as SettingSpec<unknown>, claim).message).toBe(
          `${name} must be a claim name other than exp, iat, nbf, sub, iss, aud; got "${claim}"`,
        )
      }
    },
  )

  it('accepts the longest claim name and the full token alphabet', () => {
    const claim = `_${'a'.repeat(63)}`
    expect(settingSpecs.JTI_CLAIM.parse(claim)).toBe(claim)
    expect(settingSpecs.USER_ID_CLAIM.parse('urn:x.user-id')).toBe('urn:x.user-id')
    const scheme = "A0!#$%&'*+.^_`|~-"
    expect(settingSpecs.AUTH_HEADER_TYPES.parse([scheme])).toEqual([scheme])
  })
})

describe('describeSettings', () => {
  it('describes every setting in order, with its env variable and default', () => {
    const rows = describeSettings()
    expect(rows.map((row) => row.name)).toEqual(Object.keys(settingSpecs))
    expect(rows[0]).toEqual({
      name: 'ACCESS_TOKEN_LIFETIME',
      env: 'TESSERA_ACCESS_TOKEN_LIFETIME',
      default: '5m',
      description: 'Lifetime of access tokens.',
    })
    const defaults = Object.fromEntries(rows.map((row) => [row.name, row.default]))
    expect(defaults).toMatchObject({
      REFRESH_TOKEN_LIFETIME: '1d',
      LEEWAY: '0s',
      ROTATE_REFRESH_TOKENS: 'true',
      UPDATE_LAST_LOGIN: 'false',
      ALGORITHM: 'HS256',
      SIGNING_KEY: '(unset)',
      AUDIENCE: '(unset)',
      AUTH_HEADER_TYPES: 'Bearer',
      ENV: 'development',
    })
    for (const row of rows) expect(row.description).toMatch(/^[A-Z].*\.$/)
  })

  it('documents extra specs given by another package', () => {
    const extra: SettingSpec<number> = {
      ...settingSpecs.LEEWAY,
      name: 'SESSION_IDLE',
      env: 'TESSERA_SESSION_IDLE',
      default: 1800,
      description: 'Idle time before a session ends.',
    }
    const rows = describeSettings([...Object.values(settingSpecs), extra])
    expect(rows.at(-1)).toEqual({
      name: 'SESSION_IDLE',
      env: 'TESSERA_SESSION_IDLE',
      default: '30m',
      description: 'Idle time before a session ends.',
    })
  })

  it('hides the value of secrets', () => {
    expect(settingSpecs.SIGNING_KEY.format('k'.repeat(32))).toBe('(set)')
    expect(settingSpecs.VERIFYING_KEY.format(undefined)).toBe('(unset)')
    expect(settingSpecs.SIGNING_KEY.secret).toBe(true)
    expect(settingSpecs.AUDIENCE.secret).toBe(false)
  })
})
