import { isAbsolute, join, resolve } from 'node:path'
import {
  defineProfileFields,
  isHmacAlgorithm,
  KeyError,
  keyRingFromSettings,
  type ProfileFields,
  SettingsError,
} from '@tessera/core'
import { checkMailSettings, resolveMailSecret } from '../mail/account-mail-settings.js'
import { checkBrowserSettings } from './browser-checks.js'
import { type DatabaseLocation, describePostgresUrl } from './database-url-spec.js'
import {
  developmentKeyPath,
  isKeyFileExposed,
  loadOrCreateDevelopmentKey,
  readDevelopmentKey,
} from './development-key.js'
import { type LoadServerSettingsOptions, loadServerSettings } from './load-server-settings.js'
import type { ServerSettings } from './server-settings.js'
import { checkTransportSecurity, readTlsFiles, type TlsFiles } from './tls-files.js'

/** File name of the SQLite database inside `DATA_DIR`. */
export const SQLITE_FILE = 'tessera.sqlite3'

/** Where the signing key came from. */
export type SigningKeySource =
  | { readonly kind: 'settings' }
  /** RS256/ES256/EdDSA without `SIGNING_KEY`: the key ring kept in the store (`tessera keys`). */
  | { readonly kind: 'key-ring' }
  | { readonly kind: 'development'; readonly path: string; readonly created: boolean }

/** Everything the server needs to start, checked: settings with a usable key, and what they imply. */
export interface ServerConfig {
  /**
   * Every setting; `SIGNING_KEY` is set (explicit, or the development key) unless the keys live
   * in the store's key ring (`signingKey.kind === 'key-ring'`).
   */
  readonly settings: ServerSettings
  /** Where the signing key came from, for the start-up line. */
  readonly signingKey: SigningKeySource
  /** Where the stores live. */
  readonly database: DatabaseLocation
  /** The declared profile fields, checked; undefined when none are declared. */
  readonly profileFields: ProfileFields | undefined
  /** The secret the links of account mails are signed with (see `resolveMailSecret`). */
  readonly mailSecret: string
  /** The certificate and key to serve HTTPS with; undefined: plain HTTP. */
  readonly tls: TlsFiles | undefined
  /** Lines worth a warning at start-up (development key in use, exposed key file...). */
  readonly warnings: readonly string[]
}

/**
 * Where the stores live: `DATABASE_URL` when set (`postgres://...`, or `sqlite:<path>` relative
 * to `cwd`), else SQLite in `DATA_DIR/tessera.sqlite3`.
 */
export function databaseLocation(settings: ServerSettings, cwd = process.cwd()): DatabaseLocation {
  const url = settings.DATABASE_URL
  if (url === undefined) return { kind: 'sqlite', path: join(settings.DATA_DIR, SQLITE_FILE) }
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length)
    return { kind: 'sqlite', path: isAbsolute(path) ? path : resolve(cwd, path) }
  }
  return { kind: 'postgres', url, display: describePostgresUrl(url) }
}

const PRODUCTION_KEY_HINT =
  'set TESSERA_SIGNING_KEY to a random secret of at least 48 bytes, e.g. the output of: ' +
  "node -e \"console.log(require('crypto').randomBytes(48).toString('base64url'))\""

// A long key made of few distinct characters (`aaaa...`, `changeme...`) is long, not strong.
const MIN_DISTINCT_CHARACTERS = 10

function checkProductionKey(settings: ServerSettings, key: string): void {
  if (isHmacAlgorithm(settings.ALGORITHM) && new Set(key).size < MIN_DISTINCT_CHARACTERS) {
    throw new KeyError(
      `SIGNING_KEY is too predictable for production (it repeats a few characters); ${PRODUCTION_KEY_HINT}`,
    )
  }
  let developmentKey: string | undefined
  try {
    developmentKey = readDevelopmentKey(settings.DATA_DIR)
  } catch {
    developmentKey = undefined
  }
  if (developmentKey !== undefined && developmentKey === key.trim()) {
    throw new KeyError(
      `SIGNING_KEY is the development key of ${developmentKeyPath(settings.DATA_DIR)}; ` +
        `production needs its own: ${PRODUCTION_KEY_HINT}`,
    )
  }
}

function resolveSigningKey(settings: ServerSettings): {
  settings: ServerSettings
  source: SigningKeySource
} {
  const explicit = settings.SIGNING_KEY
  if (explicit !== undefined) {
    if (settings.ENV === 'production') checkProductionKey(settings, explicit)
    return { settings, source: { kind: 'settings' } }
  }
  // Public-key algorithms without a configured key: the ring in the store generates, rotates
  // and publishes them (the same in development and production).
  if (!isHmacAlgorithm(settings.ALGORITHM)) return { settings, source: { kind: 'key-ring' } }
  if (settings.ENV === 'production') {
    throw new SettingsError(
      'SIGNING_KEY',
      `TESSERA_ENV=production refuses to start without an explicit SIGNING_KEY (the development ` +
        `key is never used in production); ${PRODUCTION_KEY_HINT}`,
    )
  }
  const key = loadOrCreateDevelopmentKey(settings.DATA_DIR)
  return {
    settings: Object.freeze({ ...settings, SIGNING_KEY: key.secret }),
    source: { kind: 'development', path: key.path, created: key.created },
  }
}

/**
 * Loads the server's settings ({@link loadServerSettings}) and makes them ready to serve:
 *
 * - no `SIGNING_KEY` in development: the development key of `DATA_DIR` is used, generated on
 *   first use (`<DATA_DIR>/signing-key`, 0600; the directory 0700);
 * - `TESSERA_ENV=production`: an explicit, strong `SIGNING_KEY` is required; the development key
 *   is refused, generated or copied;
 * - the key is imported once (core refuses blank, short, PEM-as-HMAC keys);
 * - `PROFILE_FIELDS` are checked; production refuses `COOKIE_SECURE=false`.
 *
 * @throws {SettingsError | KeyError} With a message that names the setting and never the secret.
 * @example
 * const config = loadServerConfig({ env: process.env })
 * const server = await buildServer(config)
 */
export function loadServerConfig(
  options: LoadServerSettingsOptions & { readonly settings?: ServerSettings } = {},
): ServerConfig {
  const loaded = options.settings ?? loadServerSettings(options)
  const { settings, source } = resolveSigningKey(loaded)
  if (source.kind !== 'key-ring') keyRingFromSettings(settings)
  checkMailSettings(settings)
  const mailSecret = resolveMailSecret(
    settings,
    () => loadOrCreateDevelopmentKey(settings.DATA_DIR).secret,
  )
  const tls = readTlsFiles(settings, options.cwd ?? process.cwd())
  checkTransportSecurity(settings, tls)
  const warnings: string[] = checkBrowserSettings(settings)
  if (source.kind === 'key-ring' && settings.KEY_ENCRYPTION_KEY === undefined) {
    warnings.push(
      `${settings.ALGORITHM} keys are kept in the store unencrypted; set ` +
        'TESSERA_KEY_ENCRYPTION_KEY to encrypt them at rest',
    )
  }
  if (source.kind !== 'key-ring' && settings.KEY_ROTATION_INTERVAL !== null) {
    warnings.push(
      'KEY_ROTATION_INTERVAL is ignored: keys come from SIGNING_KEY (rotation applies to ' +
        'RS256/ES256/EdDSA keys kept in the store, with SIGNING_KEY unset)',
    )
  }
  if (source.kind === 'development') {
    warnings.push(
      `using the development signing key ${source.created ? 'generated in' : 'kept in'} ` +
        `${source.path}; set TESSERA_SIGNING_KEY for production`,
    )
    if (isKeyFileExposed(source.path)) {
      warnings.push(`${source.path} is readable by other users; run: chmod 600 ${source.path}`)
    }
  }
  const profileFields =
    settings.PROFILE_FIELDS.length === 0 ? undefined : defineProfileFields(settings.PROFILE_FIELDS)
  for (const claim of settings.TOKEN_CLAIMS) {
    const field = claim.startsWith('profile.') ? claim.slice('profile.'.length) : undefined
    if (field !== undefined && !settings.PROFILE_FIELDS.some((spec) => spec.name === field)) {
      throw new SettingsError(
        'TOKEN_CLAIMS',
        `TOKEN_CLAIMS names ${claim}, but PROFILE_FIELDS declares no field "${field}"`,
      )
    }
  }
  return Object.freeze({
    settings,
    signingKey: source,
    database: databaseLocation(settings, options.cwd),
    profileFields,
    mailSecret,
    tls,
    warnings: Object.freeze(warnings),
  })
}
