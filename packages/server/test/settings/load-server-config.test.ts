import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { developmentKeyPath, loadServerConfig } from '@tessera/server'
import { describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()
const mode = (path: string) => statSync(path).mode & 0o777
const posix = process.platform !== 'win32'

function configError(env: Record<string, string>, cwd = tempDir()) {
  try {
    loadServerConfig({ env, cwd, configFile: false })
  } catch (error) {
    return error as Error & { code: string; setting?: string }
  }
  throw new Error('expected the configuration to be refused')
}

describe('loadServerConfig: the development key', () => {
  it('generates a key once in DATA_DIR (0700), kept in signing-key (0600), and reuses it', () => {
    const cwd = tempDir()
    const dataDir = join(cwd, 'nested', 'data')
    const first = loadServerConfig({ env: { TESSERA_DATA_DIR: dataDir }, cwd, configFile: false })
    const path = developmentKeyPath(dataDir)
    expect(first.signingKey).toEqual({ kind: 'development', path, created: true })
    const secret = readFileSync(path, 'utf8').trim()
    expect(secret).toMatch(/^[A-Za-z0-9_-]{64}$/)
    expect(first.settings.SIGNING_KEY).toBe(secret)
    if (posix) {
      expect(mode(dataDir)).toBe(0o700)
      expect(mode(path)).toBe(0o600)
    }

    const second = loadServerConfig({ env: { TESSERA_DATA_DIR: dataDir }, cwd, configFile: false })
    expect(second.signingKey).toEqual({ kind: 'development', path, created: false })
    expect(second.settings.SIGNING_KEY).toBe(secret)
  })

  it('says so in a warning that names the file and never holds the key', () => {
    const cwd = tempDir()
    const config = loadServerConfig({ env: {}, cwd, configFile: false })
    expect(config.warnings).toHaveLength(1)
    expect(config.warnings[0]).toMatch(/development signing key generated in .*signing-key/)
    expect(config.warnings.join('\n')).not.toContain(config.settings.SIGNING_KEY as string)
  })

  it('uses the default ./.tessera data directory and SQLite file', () => {
    const cwd = tempDir()
    const config = loadServerConfig({ env: {}, cwd, configFile: false })
    expect(config.settings.DATA_DIR).toBe(join(cwd, '.tessera'))
    expect(config.database).toEqual({
      kind: 'sqlite',
      path: join(cwd, '.tessera', 'tessera.sqlite3'),
    })
    expect(existsSync(join(cwd, '.tessera', 'signing-key'))).toBe(true)
  })

  it('generates nothing when SIGNING_KEY is set', () => {
    const cwd = tempDir()
    const config = loadServerConfig({
      env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY },
      cwd,
      configFile: false,
    })
    expect(config.signingKey).toEqual({ kind: 'settings' })
    expect(config.warnings).toEqual([])
    expect(existsSync(join(cwd, '.tessera'))).toBe(false)
  })

  it('refuses a damaged key file instead of replacing it', () => {
    const cwd = tempDir()
    mkdirSync(join(cwd, '.tessera'))
    writeFileSync(join(cwd, '.tessera', 'signing-key'), 'short\n')
    expect(configError({}, cwd).message).toMatch(/does not hold a generated key; delete it/)
  })

  it('describes PostgreSQL without its password', () => {
    const config = loadServerConfig({
      env: {
        TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
        TESSERA_DATABASE_URL: 'postgres://app:hunter2@db.internal:5432/auth',
      },
      cwd: tempDir(),
      configFile: false,
    })
    expect(config.database).toMatchObject({
      kind: 'postgres',
      display: 'postgres://app@db.internal:5432/auth',
    })
  })
})

describe('loadServerConfig: production', () => {
  it('refuses to start without an explicit SIGNING_KEY and creates no key', () => {
    const cwd = tempDir()
    const error = configError({ TESSERA_ENV: 'production' }, cwd)
    expect(error.code).toBe('settings_invalid')
    expect(error.message).toMatch(
      /TESSERA_ENV=production refuses to start without an explicit SIGNING_KEY/,
    )
    expect(existsSync(join(cwd, '.tessera', 'signing-key'))).toBe(false)
  })

  it('refuses the development key, even given explicitly', () => {
    const cwd = tempDir()
    const dev = loadServerConfig({ env: {}, cwd, configFile: false })
    const key = dev.settings.SIGNING_KEY as string
    const error = configError({ TESSERA_ENV: 'production', TESSERA_SIGNING_KEY: key }, cwd)
    expect(error.code).toBe('key_invalid')
    expect(error.message).toMatch(
      /is the development key of .*signing-key; production needs its own/,
    )
    expect(error.message).not.toContain(key)
  })

  it.each([
    ['a short key', 'too-short-but-random-91'],
    ['a repetitive key', 'ab'.repeat(32)],
  ])('refuses %s', (_, key) => {
    const error = configError({ TESSERA_ENV: 'production', TESSERA_SIGNING_KEY: key })
    expect(error.code).toBe('key_invalid')
    expect(error.message).not.toContain(key)
  })

  it('starts with a strong explicit key', () => {
    const config = loadServerConfig({
      env: {
        TESSERA_ENV: 'production',
        TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
        TESSERA_EMAIL_BACKEND: 'smtp',
      },
      cwd: tempDir(),
      configFile: false,
    })
    expect(config.signingKey).toEqual({ kind: 'settings' })
  })

  it.each(['development', 'production'])(
    'keeps asymmetric keys in the store when no SIGNING_KEY is set (%s)',
    (env) => {
      const config = loadServerConfig({
        env: {
          TESSERA_ENV: env,
          TESSERA_ALGORITHM: 'ES256',
          TESSERA_EMAIL_BACKEND: 'smtp',
          TESSERA_SECRET_KEY: 'a-secret-for-the-mail-links-0123456789',
        },
        cwd: tempDir(),
        configFile: false,
      })
      expect(config.signingKey).toEqual({ kind: 'key-ring' })
      expect(config.settings.SIGNING_KEY).toBeUndefined()
      expect(config.warnings).toContainEqual(expect.stringMatching(/KEY_ENCRYPTION_KEY/))
    },
  )

  it('does not warn about unencrypted keys once a key-encryption key is set', () => {
    const config = loadServerConfig({
      env: {
        TESSERA_ALGORITHM: 'EdDSA',
        TESSERA_KEY_ENCRYPTION_KEY: 'a'.repeat(64),
        TESSERA_KEY_ROTATION_INTERVAL: '30d',
      },
      cwd: tempDir(),
      configFile: false,
    })
    expect(config.warnings).toEqual([])
    expect(config.settings.KEY_ROTATION_INTERVAL).toBe(30 * 86_400)
  })

  it('refuses a malformed key-encryption key without echoing it', () => {
    const secret = 'not-a-kek-but-a-secret-value'
    const error = configError({ TESSERA_ALGORITHM: 'ES256', TESSERA_KEY_ENCRYPTION_KEY: secret })
    expect(error.message).toMatch(/KEY_ENCRYPTION_KEY must be 32 random bytes/)
    expect(error.message).not.toContain(secret)
  })

  it('refuses a rotation interval shorter than the pre-publication period', () => {
    const error = configError({ TESSERA_ALGORITHM: 'ES256', TESSERA_KEY_ROTATION_INTERVAL: '5m' })
    expect(error.message).toMatch(/KEY_ROTATION_INTERVAL/)
  })
})

describe('loadServerConfig: mail', () => {
  const production = { TESSERA_ENV: 'production', TESSERA_SIGNING_KEY: TEST_SIGNING_KEY }

  it('refuses the console backend in production while /auth/ sends mail, saying what to set', () => {
    const error = configError(production)
    expect(error.code).toBe('settings_invalid')
    expect(error.message).toMatch(/refuses the console mail backend.*TESSERA_EMAIL_BACKEND=smtp/)
    const config = loadServerConfig({
      env: { ...production, TESSERA_AUTH_ROUTES: 'false' },
      cwd: tempDir(),
      configFile: false,
    })
    expect(config.settings.EMAIL_BACKEND).toBe('console')
  })

  it('refuses TLS and SSL together', () => {
    const error = configError({ TESSERA_EMAIL_USE_TLS: 'true', TESSERA_EMAIL_USE_SSL: 'true' })
    expect(error.message).toMatch(/EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive/)
  })

  it('signs links with SECRET_KEY, else a key derived from SIGNING_KEY (never the key itself)', () => {
    const derived = loadServerConfig({
      env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY, TESSERA_DATA_DIR: tempDir() },
      configFile: false,
    })
    expect(derived.mailSecret).toMatch(/^[0-9a-f]{64}$/)
    expect(derived.mailSecret).not.toContain(TEST_SIGNING_KEY)
    const secret = 'a-secret-for-the-mail-links-0123456789'
    const explicit = loadServerConfig({
      env: { TESSERA_SECRET_KEY: secret, TESSERA_DATA_DIR: tempDir() },
      configFile: false,
    })
    expect(explicit.mailSecret).toBe(secret)
    const short = configError({ TESSERA_SECRET_KEY: 'short-secret' })
    expect(short.message).toMatch(/SECRET_KEY must be at least 32 bytes/)
    expect(short.message).not.toContain('short-secret')
  })

  it('needs SECRET_KEY in production with the key ring (no HMAC key to derive from)', () => {
    const error = configError({
      TESSERA_ENV: 'production',
      TESSERA_ALGORITHM: 'ES256',
      TESSERA_EMAIL_BACKEND: 'smtp',
    })
    expect(error.message).toMatch(/needs TESSERA_SECRET_KEY/)
  })

  it('refuses a link path without {uid} and {token}', () => {
    const error = configError({ TESSERA_ACTIVATION_URL: 'https://evil.example.com/{uid}' })
    expect(error.message).toMatch(/ACTIVATION_URL must be a path holding \{uid\} and \{token\}/)
  })
})
