import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LoadSettingsOptions, loadSettings, settingSpecs } from '@tessera/core'
import { afterEach, describe, expect, it } from 'vitest'

const dirs: string[] = []

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A fresh directory, with `tessera.config.json` holding `config` (raw text or JSON) if given. */
function makeDir(config?: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-settings-'))
  dirs.push(dir)
  if (config !== undefined) {
    const text = typeof config === 'string' ? config : JSON.stringify(config)
    writeFileSync(join(dir, 'tessera.config.json'), text)
  }
  return dir
}

/** loadSettings isolated from the real environment and working directory. */
function load(options: LoadSettingsOptions = {}) {
  return loadSettings({ env: {}, cwd: makeDir(), ...options })
}

function loadError(options: LoadSettingsOptions) {
  try {
    load(options)
  } catch (error) {
    return error as Error & { code: string; setting: string }
  }
  throw new Error('expected loadSettings to throw')
}

describe('defaults', () => {
  it('match the documented defaults', () => {
    expect(load()).toEqual({
      ACCESS_TOKEN_LIFETIME: 300,
      REFRESH_TOKEN_LIFETIME: 86_400,
      ROTATE_REFRESH_TOKENS: true,
      BLACKLIST_AFTER_ROTATION: true,
      ALGORITHM: 'HS256',
      SIGNING_KEY: undefined,
      VERIFYING_KEY: undefined,
      AUDIENCE: undefined,
      ISSUER: undefined,
      LEEWAY: 0,
      AUTH_HEADER_TYPES: ['Bearer'],
      USER_ID_CLAIM: 'user_id',
      TOKEN_TYPE_CLAIM: 'token_type',
      JTI_CLAIM: 'jti',
      UPDATE_LAST_LOGIN: false,
      CHECK_USER_IS_ACTIVE: true,
      SLIDING_TOKEN_LIFETIME: 300,
      SLIDING_TOKEN_REFRESH_LIFETIME: 86_400,
      SLIDING_TOKEN_REFRESH_EXP_CLAIM: 'refresh_exp',
      ENV: 'development',
      MFA_TOKEN_LIFETIME: 300,
      MFA_TRUSTED_DEVICE_LIFETIME: 2_592_000,
      MFA_ISSUER: 'Tessera',
      MFA_REQUIRED_FOR_STAFF: false,
    })
  })

  it('returns a frozen object with a frozen list', () => {
    const settings = load({ overrides: { AUTH_HEADER_TYPES: ['JWT'] } })
    expect(Object.isFrozen(settings)).toBe(true)
    expect(Object.isFrozen(settings.AUTH_HEADER_TYPES)).toBe(true)
    expect(Object.isFrozen(load().AUTH_HEADER_TYPES)).toBe(true)
    expect(() => {
      ;(settings as { LEEWAY: number }).LEEWAY = 5
    }).toThrow(TypeError)
  })

  it('copies list overrides instead of keeping the caller array', () => {
    const schemes = ['Bearer']
    const settings = load({ overrides: { AUTH_HEADER_TYPES: schemes } })
    schemes.push('JWT')
    expect(settings.AUTH_HEADER_TYPES).toEqual(['Bearer'])
  })
})

describe('precedence: defaults < config file < env < code', () => {
  const env = { TESSERA_ACCESS_TOKEN_LIFETIME: '30m', TESSERA_LEEWAY: '20' }
  const file = { ACCESS_TOKEN_LIFETIME: '10m', LEEWAY: 10, ISSUER: 'file-issuer' }

  it('takes the config file over the defaults', () => {
    const settings = load({ cwd: makeDir(file) })
    expect(settings.ACCESS_TOKEN_LIFETIME).toBe(600)
    expect(settings.ISSUER).toBe('file-issuer')
    expect(settings.REFRESH_TOKEN_LIFETIME).toBe(86_400)
  })

  it('takes the env over the config file', () => {
    const settings = load({ cwd: makeDir(file), env })
    expect(settings.ACCESS_TOKEN_LIFETIME).toBe(1800)
    expect(settings.LEEWAY).toBe(20)
    expect(settings.ISSUER).toBe('file-issuer')
  })

  it('takes code over the env and the config file', () => {
    const settings = load({ cwd: makeDir(file), env, overrides: { ACCESS_TOKEN_LIFETIME: 60 } })
    expect(settings.ACCESS_TOKEN_LIFETIME).toBe(60)
    expect(settings.LEEWAY).toBe(20)
    expect(settings.ISSUER).toBe('file-issuer')
  })

  it('treats an override set to undefined as not given', () => {
    const settings = load({ env, overrides: { ACCESS_TOKEN_LIFETIME: undefined } })
    expect(settings.ACCESS_TOKEN_LIFETIME).toBe(1800)
  })

  it('checks a value even when a higher source replaces it', () => {
    const error = loadError({ cwd: makeDir({ LEEWAY: 'soon' }), overrides: { LEEWAY: 0 } })
    expect(error.setting).toBe('LEEWAY')
  })
})

describe('environment', () => {
  it.each([
    ['true', true],
    ['TRUE', true],
    ['1', true],
    ['yes', true],
    ['On', true],
    [' on ', true],
    ['false', false],
    ['False', false],
    ['0', false],
    ['NO', false],
    ['off', false],
  ])('reads the boolean %j as %s', (text, value) => {
    const settings = load({
      env: { TESSERA_UPDATE_LAST_LOGIN: text, TESSERA_ROTATE_REFRESH_TOKENS: text },
    })
    expect(settings.UPDATE_LAST_LOGIN).toBe(value)
    expect(settings.ROTATE_REFRESH_TOKENS).toBe(value)
  })

  it.each([['maybe'], [''], ['2'], ['y'], ['truee']])('rejects the boolean %j', (text) => {
    const error = loadError({ env: { TESSERA_CHECK_USER_IS_ACTIVE: text } })
    expect(error.code).toBe('settings_invalid')
    expect(error.setting).toBe('CHECK_USER_IS_ACTIVE')
    expect(error.message).toBe(
      'CHECK_USER_IS_ACTIVE must be a boolean: true/false, 1/0, yes/no or on/off; ' +
        `got ${JSON.stringify(text)} (from env TESSERA_CHECK_USER_IS_ACTIVE)`,
    )
  })

  it('reads lists comma-separated, trimming each item', () => {
    expect(load({ env: { TESSERA_AUTH_HEADER_TYPES: 'Bearer' } }).AUTH_HEADER_TYPES).toEqual([
      'Bearer',
    ])
    expect(load({ env: { TESSERA_AUTH_HEADER_TYPES: 'Bearer, JWT' } }).AUTH_HEADER_TYPES).toEqual([
      'Bearer',
      'JWT',
    ])
  })

  it.each([[''], ['Bearer,'], ['Bearer,,JWT'], ['Bearer JWT'], ['Bé'], ['a/b']])(
    'rejects the list %j',
    (text) => {
      const error = loadError({ env: { TESSERA_AUTH_HEADER_TYPES: text } })
      expect(error.setting).toBe('AUTH_HEADER_TYPES')
      expect(error.message).toMatch(
        /^AUTH_HEADER_TYPES must be a non-empty list of auth schemes \(HTTP tokens such as Bearer\); got .*\(from env TESSERA_AUTH_HEADER_TYPES\)$/,
      )
    },
  )

  it('reads durations, strings and enums', () => {
    const settings = load({
      env: {
        TESSERA_REFRESH_TOKEN_LIFETIME: '1w',
        TESSERA_SLIDING_TOKEN_LIFETIME: '900',
        TESSERA_ALGORITHM: 'EdDSA',
        TESSERA_ENV: 'production',
        TESSERA_AUDIENCE: 'api',
        TESSERA_USER_ID_CLAIM: 'uid',
      },
    })
    expect(settings).toMatchObject({
      REFRESH_TOKEN_LIFETIME: 604_800,
      SLIDING_TOKEN_LIFETIME: 900,
      ALGORITHM: 'EdDSA',
      ENV: 'production',
      AUDIENCE: 'api',
      USER_ID_CLAIM: 'uid',
    })
  })

  it('ignores unknown TESSERA_* variables and lower-case names', () => {
    const settings = load({
      env: { TESSERA_DATA_DIR: '/var/lib/tessera', TESSERA_leeway: 'nonsense', LEEWAY: '5' },
    })
    expect(settings.LEEWAY).toBe(0)
  })

  it('reads process.env by default', () => {
    process.env.TESSERA_ISSUER = 'from-process-env'
    try {
      expect(loadSettings({ cwd: makeDir() }).ISSUER).toBe('from-process-env')
    } finally {
      delete process.env.TESSERA_ISSUER
    }
  })
})

describe('config file', () => {
  it('is optional by default and can be turned off', () => {
    expect(load({ cwd: makeDir() }).LEEWAY).toBe(0)
    expect(load({ cwd: makeDir({ LEEWAY: 'not a duration' }), configFile: false }).LEEWAY).toBe(0)
  })

  it('can be given as a path relative to cwd, which must exist', () => {
    const dir = makeDir()
    mkdirSync(join(dir, 'conf'))
    writeFileSync(join(dir, 'conf', 'auth.json'), JSON.stringify({ LEEWAY: '1m' }))
    expect(load({ cwd: dir, configFile: 'conf/auth.json' }).LEEWAY).toBe(60)
    const error = loadError({ cwd: dir, configFile: 'missing.json' })
    expect(error.setting).toBe('configFile')
    expect(error.message).toBe(`cannot read config file ${join(dir, 'missing.json')} (ENOENT)`)
  })

  it('takes JSON booleans, lists and a byte order mark', () => {
    const text = `\uFEFF${JSON.stringify({ UPDATE_LAST_LOGIN: true, AUTH_HEADER_TYPES: ['JWT'] })}`
    const settings = load({ cwd: makeDir(text) })
    expect(settings.UPDATE_LAST_LOGIN).toBe(true)
    expect(settings.AUTH_HEADER_TYPES).toEqual(['JWT'])
  })

  it('rejects env-style text for booleans and lists', () => {
    const dir = makeDir({ UPDATE_LAST_LOGIN: 'yes' })
    expect(loadError({ cwd: dir }).message).toBe(
      `UPDATE_LAST_LOGIN must be a boolean (true or false); got "yes" (from ${join(dir, 'tessera.config.json')})`,
    )
    expect(loadError({ cwd: makeDir({ AUTH_HEADER_TYPES: 'Bearer' }) }).setting).toBe(
      'AUTH_HEADER_TYPES',
    )
  })

  it('rejects unknown keys, naming the key and the file', () => {
    const dir = makeDir({ ACCESS_TOKEN_LIFETIM: '5m' })
    const error = loadError({ cwd: dir })
    expect(error.code).toBe('settings_invalid')
    expect(error.setting).toBe('ACCESS_TOKEN_LIFETIM')
    expect(error.message).toBe(
      `unknown setting "ACCESS_TOKEN_LIFETIM" in ${join(dir, 'tessera.config.json')}`,
    )
  })

  it.each([
    ['{"__proto__": {"LEEWAY": 5}}'],
    ['{"toString": 1}'],
    ['{"access_token_lifetime": 1}'],
  ])('rejects the key of %s', (text) => {
    expect(loadError({ cwd: makeDir(text) }).message).toMatch(/^unknown setting /)
  })

  it.each([['{"LEEWAY": 5,}'], [''], ['{'], ['LEEWAY=5']])('rejects invalid JSON %j', (text) => {
    const dir = makeDir(text)
    const error = loadError({ cwd: dir })
    expect(error.setting).toBe('configFile')
    expect(error.message).toMatch(/tessera\.config\.json is not valid JSON/)
    expect(error.message).toContain(dir)
  })

  it.each([['[]'], ['null'], ['"LEEWAY"'], ['5']])('rejects %s, not an object', (text) => {
    expect(loadError({ cwd: makeDir(text) }).message).toMatch(
      /tessera\.config\.json must hold a JSON object of settings$/,
    )
  })

  it('rejects a directory in its place', () => {
    const dir = makeDir()
    mkdirSync(join(dir, 'tessera.config.json'))
    expect(loadError({ cwd: dir }).message).toMatch(/^cannot read config file .*\(EISDIR\)$/)
  })
})

describe('code overrides', () => {
  it('take raw values: durations as strings or numbers', () => {
    const settings = load({
      overrides: { ACCESS_TOKEN_LIFETIME: '15m', REFRESH_TOKEN_LIFETIME: 3600, LEEWAY: '30s' },
    })
    expect(settings.ACCESS_TOKEN_LIFETIME).toBe(900)
    expect(settings.REFRESH_TOKEN_LIFETIME).toBe(3600)
    expect(settings.LEEWAY).toBe(30)
  })

  it('reject unknown keys', () => {
    const overrides = { LEEWAY: 1, SIGNNG_KEY: 'abc' } as LoadSettingsOptions['overrides']
    const error = loadError({ overrides })
    expect(error.setting).toBe('SIGNNG_KEY')
    expect(error.message).toBe('unknown setting "SIGNNG_KEY" in code overrides')
  })

  it('say the value came from code', () => {
    const error = loadError({ overrides: { ALGORITHM: 'none' as 'HS256' } })
    expect(error.message).toBe(
      'ALGORITHM must be one of HS256, HS384, HS512, RS256, ES256, EdDSA; got "none" (from code overrides)',
    )
  })
})

describe('checks across settings', () => {
  it('refuses two claim settings with the same name, from any source', () => {
    const error = loadError({
      cwd: makeDir({ USER_ID_CLAIM: 'id' }),
      env: { TESSERA_JTI_CLAIM: 'id' },
    })
    expect(error.setting).toBe('JTI_CLAIM')
    expect(error.message).toBe(
      'JTI_CLAIM must differ from USER_ID_CLAIM; both are "id" (from env TESSERA_JTI_CLAIM)',
    )
  })

  it('refuses a claim setting equal to another default', () => {
    const error = loadError({ overrides: { SLIDING_TOKEN_REFRESH_EXP_CLAIM: 'token_type' } })
    expect(error.setting).toBe('SLIDING_TOKEN_REFRESH_EXP_CLAIM')
    expect(error.message).toContain('must differ from TOKEN_TYPE_CLAIM')
  })

  it('accepts distinct claim names', () => {
    const settings = load({ overrides: { USER_ID_CLAIM: 'sub_id', JTI_CLAIM: 'id' } })
    expect(settings.USER_ID_CLAIM).toBe('sub_id')
  })
})

describe('settingSpecs', () => {
  it('has one spec per setting returned', () => {
    expect(Object.keys(settingSpecs)).toEqual(Object.keys(load()))
    for (const [name, spec] of Object.entries(settingSpecs)) {
      expect(spec.name).toBe(name)
      expect(spec.env).toBe(`TESSERA_${name}`)
      expect(Object.isFrozen(spec)).toBe(true)
    }
  })
})
