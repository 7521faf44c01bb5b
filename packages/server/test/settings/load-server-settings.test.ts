import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describeSettings, settingSpecs } from '@tessera/core'
import { loadServerSettings, serverSettingSpecs } from '@tessera/server'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()

function loadError(options: Parameters<typeof loadServerSettings>[0]) {
  try {
    loadServerSettings(options)
  } catch (error) {
    return error as Error & { code: string; setting: string }
  }
  throw new Error('expected the settings to be refused')
}

describe('loadServerSettings: defaults', () => {
  it('has the documented defaults, core and server alike', () => {
    const cwd = tempDir()
    const settings = loadServerSettings({ env: {}, cwd })
    expect(settings).toMatchObject({
      DATA_DIR: join(cwd, '.tessera'),
      DATABASE_URL: undefined,
      HOST: '127.0.0.1',
      PORT: 8000,
      TRUST_PROXY: false,
      LOG_LEVEL: 'info',
      REQUEST_TIMEOUT: 10,
      KEEP_ALIVE_TIMEOUT: 72,
      THROTTLE_ANON: null,
      THROTTLE_USER: null,
      THROTTLE_LOGIN_USERNAME: '5/min',
      THROTTLE_LOGIN_IP: '20/min',
      THROTTLE_REGISTER: '10/hour',
      SLIDING_TOKENS: false,
      REFRESH_REUSE_INTERVAL: 0,
      PROFILE_FIELDS: [],
      REDIS_URL: undefined,
      REDIS_PREFIX: 'tessera:',
      REVOCATION_GRACE: 0,
      KEY_ENCRYPTION_KEY: undefined,
      KEY_ROTATION_INTERVAL: null,
      ACCESS_TOKEN_LIFETIME: 300,
      ROTATE_REFRESH_TOKENS: true,
      SIGNING_KEY: undefined,
      ENV: 'development',
    })
    expect(Object.isFrozen(settings)).toBe(true)
  })

  it('documents every server setting with core describeSettings', () => {
    const rows = describeSettings([
      ...Object.values(settingSpecs),
      ...Object.values(serverSettingSpecs),
    ])
    const port = rows.find((row) => row.name === 'PORT')
    expect(port).toEqual({
      name: 'PORT',
      env: 'TESSERA_PORT',
      default: '8000',
      description: expect.any(String),
    })
    expect(rows.find((row) => row.name === 'THROTTLE_ANON')?.default).toBe('off')
    expect(rows.find((row) => row.name === 'DATABASE_URL')?.default).toBe('(unset)')
  })
})

describe('loadServerSettings: sources', () => {
  it('reads TESSERA_* variables', () => {
    const cwd = tempDir()
    const settings = loadServerSettings({
      cwd,
      env: {
        TESSERA_DATA_DIR: 'var/data',
        TESSERA_DATABASE_URL: 'postgres://app:secret@db:5432/auth',
        TESSERA_HOST: '0.0.0.0',
        TESSERA_PORT: '9000',
        TESSERA_TRUST_PROXY: '10.0.0.0/8, loopback',
        TESSERA_LOG_LEVEL: 'warn',
        TESSERA_REQUEST_TIMEOUT: '30s',
        TESSERA_KEEP_ALIVE_TIMEOUT: '2m',
        TESSERA_THROTTLE_ANON: '100/day',
        TESSERA_THROTTLE_LOGIN_USERNAME: 'off',
        TESSERA_SLIDING_TOKENS: 'yes',
        TESSERA_REFRESH_REUSE_INTERVAL: '10s',
        TESSERA_PROFILE_FIELDS: '[{"name":"phone","type":"string","maxLength":20}]',
        TESSERA_ACCESS_TOKEN_LIFETIME: '15m',
        TESSERA_REDIS_URL: 'rediss://:pw@cache:6380/2',
        TESSERA_REDIS_PREFIX: 'auth-eu:',
        TESSERA_REVOCATION_GRACE: '2s',
      },
    })
    expect(settings).toMatchObject({
      DATA_DIR: join(cwd, 'var/data'),
      DATABASE_URL: 'postgres://app:secret@db:5432/auth',
      HOST: '0.0.0.0',
      PORT: 9000,
      TRUST_PROXY: ['10.0.0.0/8', 'loopback'],
      LOG_LEVEL: 'warn',
      REQUEST_TIMEOUT: 30,
      KEEP_ALIVE_TIMEOUT: 120,
      THROTTLE_ANON: '100/day',
      THROTTLE_LOGIN_USERNAME: null,
      SLIDING_TOKENS: true,
      REFRESH_REUSE_INTERVAL: 10,
      PROFILE_FIELDS: [{ name: 'phone', type: 'string', maxLength: 20 }],
      ACCESS_TOKEN_LIFETIME: 900,
      REDIS_URL: 'rediss://:pw@cache:6380/2',
      REDIS_PREFIX: 'auth-eu:',
      REVOCATION_GRACE: 2,
    })
  })

  it.each([
    ['true', true],
    ['false', false],
    ['off', false],
    ['1', 1],
    ['2', 2],
    ['0', false],
    ['127.0.0.1', ['127.0.0.1']],
    ['::1,fd00::/8', ['::1', 'fd00::/8']],
  ])('reads TESSERA_TRUST_PROXY=%s', (text, expected) => {
    const settings = loadServerSettings({ env: { TESSERA_TRUST_PROXY: text }, cwd: tempDir() })
    expect(settings.TRUST_PROXY).toEqual(expected)
  })

  it('orders defaults < tessera.config.json < env < code, for core and server settings', () => {
    const cwd = tempDir()
    writeFileSync(
      join(cwd, 'tessera.config.json'),
      JSON.stringify({
        PORT: 7000,
        HOST: '::1',
        LEEWAY: 5,
        ISSUER: 'file',
        THROTTLE_USER: '9/min',
      }),
    )
    const settings = loadServerSettings({
      cwd,
      env: { TESSERA_PORT: '7100', TESSERA_ISSUER: 'env', TESSERA_LEEWAY: '7' },
      overrides: { PORT: 7200, ISSUER: 'code' },
    })
    expect(settings).toMatchObject({
      PORT: 7200,
      HOST: '::1',
      ISSUER: 'code',
      LEEWAY: 7,
      THROTTLE_USER: '9/min',
    })
  })

  it('checks a file value that a higher source replaces, naming the file', () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'tessera.config.json'), JSON.stringify({ LEEWAY: 'soon', PORT: -1 }))
    const error = loadError({ cwd, env: { TESSERA_LEEWAY: '1' } })
    expect(error.setting).toBe('LEEWAY')
    expect(error.message).toContain(join(cwd, 'tessera.config.json'))
  })

  it('refuses unknown keys in the file and in code', () => {
    const cwd = tempDir()
    writeFileSync(join(cwd, 'tessera.config.json'), JSON.stringify({ PROT: 1 }))
    expect(loadError({ cwd, env: {} }).message).toMatch(/unknown setting "PROT"/)
    expect(loadError({ cwd: tempDir(), env: {}, overrides: { NOPE: 1 } as never }).message).toMatch(
      /unknown setting "NOPE" in code overrides/,
    )
  })
})

describe('loadServerSettings: errors name the setting, the accepted form and the source', () => {
  it.each([
    [
      'TESSERA_PORT',
      '80000',
      'PORT',
      /PORT must be a port number from 0 to 65535; got "80000" \(from env TESSERA_PORT\)/,
    ],
    ['TESSERA_PORT', 'http', 'PORT', /PORT must be a port number/],
    [
      'TESSERA_LOG_LEVEL',
      'loud',
      'LOG_LEVEL',
      /one of fatal, error, warn, info, debug, trace, silent/,
    ],
    [
      'TESSERA_REQUEST_TIMEOUT',
      '0',
      'REQUEST_TIMEOUT',
      /REQUEST_TIMEOUT must be a duration from 1 to 300 seconds; got "0" \(from env TESSERA_REQUEST_TIMEOUT\)/,
    ],
    ['TESSERA_REQUEST_TIMEOUT', 'forever', 'REQUEST_TIMEOUT', /must be a duration/],
    ['TESSERA_KEEP_ALIVE_TIMEOUT', '1h', 'KEEP_ALIVE_TIMEOUT', /a duration from 1 to 600 seconds/],
    ['TESSERA_THROTTLE_ANON', '5 per minute', 'THROTTLE_ANON', /a rate such as 5\/min/],
    ['TESSERA_THROTTLE_USER', '0/min', 'THROTTLE_USER', /a rate such as 5\/min/],
    ['TESSERA_TRUST_PROXY', '10.0.0.300', 'TRUST_PROXY', /comma-separated list of proxy addresses/],
    ['TESSERA_TRUST_PROXY', '10.0.0.0/33', 'TRUST_PROXY', /comma-separated list/],
    ['TESSERA_SLIDING_TOKENS', 'maybe', 'SLIDING_TOKENS', /true\/false, 1\/0, yes\/no or on\/off/],
    [
      'TESSERA_REFRESH_REUSE_INTERVAL',
      '11',
      'REFRESH_REUSE_INTERVAL',
      /a duration from 0 to 10 seconds/,
    ],
    ['TESSERA_REFRESH_REUSE_INTERVAL', 'soon', 'REFRESH_REUSE_INTERVAL', /must be a duration/],
    [
      'TESSERA_PROFILE_FIELDS',
      '{"name":"x"}',
      'PROFILE_FIELDS',
      /a JSON list of field declarations/,
    ],
    [
      'TESSERA_PROFILE_FIELDS',
      '[{"name":"x","type":"string","maxlength":3}]',
      'PROFILE_FIELDS',
      /unknown member "maxlength"/,
    ],
    [
      'TESSERA_PROFILE_FIELDS',
      '[{"name":"password","type":"string"}]',
      'PROFILE_FIELDS',
      /built-in user field/,
    ],
    ['TESSERA_PROFILE_FIELDS', '[oops', 'PROFILE_FIELDS', /not valid JSON/],
    ['TESSERA_HOST', ' ', 'HOST', /non-empty string/],
    ['TESSERA_REDIS_URL', 'localhost:6379', 'REDIS_URL', /a redis:\/\/ or rediss:\/\/ URL/],
    ['TESSERA_REVOCATION_GRACE', '31', 'REVOCATION_GRACE', /a duration from 0 to 30 seconds/],
    ['TESSERA_ACCESS_TOKEN_LIFETIME', 'forever', 'ACCESS_TOKEN_LIFETIME', /must be a duration/],
  ])('%s=%s', (variable, text, setting, message) => {
    const error = loadError({ env: { [variable]: text }, cwd: tempDir() })
    expect(error.code).toBe('settings_invalid')
    expect(error.setting).toBe(setting)
    expect(error.message).toMatch(message)
  })

  it('never echoes DATABASE_URL, which may hold a password', () => {
    const error = loadError({
      env: { TESSERA_DATABASE_URL: 'mysql://root:hunter2@db/auth' },
      cwd: tempDir(),
    })
    expect(error.setting).toBe('DATABASE_URL')
    expect(error.message).toMatch(/postgres:\/\/ or postgresql:\/\/ URL, or sqlite:<path>/)
    expect(error.message).not.toContain('hunter2')
  })

  it('never echoes REDIS_URL, which may hold a password', () => {
    const error = loadError({
      env: { TESSERA_REDIS_URL: 'http://:hunter2@cache:6379' },
      cwd: tempDir(),
    })
    expect(error.setting).toBe('REDIS_URL')
    expect(error.message).not.toContain('hunter2')
  })
})

describe('loadServerSettings: secrets from files (TESSERA_<NAME>_FILE, Docker secrets)', () => {
  it('reads every secret setting from its file, one trailing newline dropped', () => {
    const dir = tempDir()
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text, { mode: 0o600 })
      return join(dir, name)
    }
    const key = 'k'.repeat(40)
    write('database', 'postgres://tessera:pw@db.internal/tessera')
    const settings = loadServerSettings({
      configFile: false,
      cwd: dir,
      env: {
        TESSERA_SIGNING_KEY_FILE: write('signing', `${key}\n`),
        // Relative to the working directory, as the other paths of the settings.
        TESSERA_DATABASE_URL_FILE: 'database',
        TESSERA_REDIS_URL_FILE: write('redis', 'redis://:pw@127.0.0.1:6379\n'),
        TESSERA_EMAIL_HOST_PASSWORD_FILE: write('smtp', 'p4ss word \n'),
      },
    })
    expect(settings.SIGNING_KEY).toBe(key)
    expect(settings.DATABASE_URL).toBe('postgres://tessera:pw@db.internal/tessera')
    expect(settings.REDIS_URL).toBe('redis://:pw@127.0.0.1:6379')
    expect(settings.EMAIL_HOST_PASSWORD).toBe('p4ss word ')
  })

  it('refuses both forms at once, and an unreadable file, without the secret', () => {
    const dir = tempDir()
    writeFileSync(join(dir, 'signing'), 's3cret-value-that-must-not-leak-0123456789')
    const both = loadError({
      configFile: false,
      cwd: dir,
      env: { TESSERA_SIGNING_KEY: 'other', TESSERA_SIGNING_KEY_FILE: 'signing' },
    })
    expect(both.message).toContain('set TESSERA_SIGNING_KEY or TESSERA_SIGNING_KEY_FILE, not both')
    const missing = loadError({
      configFile: false,
      cwd: dir,
      env: { TESSERA_SIGNING_KEY_FILE: 'nope' },
    })
    expect(missing).toMatchObject({ setting: 'SIGNING_KEY' })
    expect(missing.message).toContain('cannot read TESSERA_SIGNING_KEY_FILE=nope (ENOENT)')
    expect(`${both.message}${missing.message}`).not.toContain('s3cret')
  })

  it('takes no _FILE form for settings that are not secret', () => {
    const settings = loadServerSettings({
      configFile: false,
      env: { TESSERA_PORT_FILE: '/nonexistent' },
    })
    expect(settings.PORT).toBe(8000)
  })
})
