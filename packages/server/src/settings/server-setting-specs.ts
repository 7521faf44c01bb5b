import type { SettingSpec } from '@tessera/core'
import { browserSettingSpecs } from './browser-settings.js'
import { databaseUrlSpec } from './database-url-spec.js'
import { keyEncryptionKeySpec, MIN_KEY_ROTATION_INTERVAL } from './key-settings-specs.js'
import { mailSettingSpecs } from './mail-setting-specs.js'
import { metricsSettingSpecs } from './metrics-settings.js'
import { profileFieldsSpec } from './profile-fields-spec.js'
import { redisUrlSpec } from './redis-url-spec.js'
import {
  ACCESS_LOG_LEVELS,
  LOG_LEVELS,
  LOGIN_FIELDS,
  type ServerOnlySettings,
  type ServerSettingName,
} from './server-settings.js'
import {
  booleanSpec,
  boundedDurationSpec,
  enumSpec,
  optionalDurationSpec,
  portSpec,
  rateSpec,
  stringSpec,
} from './spec-builders.js'
import { tlsSettingSpecs } from './tls-settings.js'
import { tokenClaimsSpec } from './token-claims-spec.js'
import { trustProxySpec } from './trust-proxy-spec.js'
import { webauthnSettingSpecs } from './webauthn-settings.js'

/** One spec per server-only setting, keyed by name. */
export type ServerSettingSpecs = {
  readonly [K in ServerSettingName]: SettingSpec<ServerOnlySettings[K]>
}

/**
 * The specs of the server's own settings, in documentation order. They follow core's
 * `SettingSpec` contract, so `describeSettings([...Object.values(settingSpecs),
 * ...Object.values(serverSettingSpecs)])` documents everything.
 */
export const serverSettingSpecs: ServerSettingSpecs = Object.freeze({
  DATA_DIR: stringSpec({
    name: 'DATA_DIR',
    default: './.tessera',
    description: 'Directory of the SQLite file and the development signing key (created 0700).',
  }),
  DATABASE_URL: databaseUrlSpec({
    name: 'DATABASE_URL',
    default: undefined,
    description: 'postgres://... for PostgreSQL; unset means SQLite in DATA_DIR.',
  }),
  HOST: stringSpec({
    name: 'HOST',
    default: '127.0.0.1',
    description: 'Address `tessera serve` listens on.',
  }),
  PORT: portSpec({ name: 'PORT', default: 8000, description: 'Port `tessera serve` listens on.' }),
  ...tlsSettingSpecs,
  TRUST_PROXY: trustProxySpec({
    name: 'TRUST_PROXY',
    default: false,
    description: 'Proxies trusted for the client IP: false, true, a hop count or a list.',
  }),
  ...metricsSettingSpecs,
  LOG_LEVEL: enumSpec(
    { name: 'LOG_LEVEL', default: 'info', description: 'Level of the JSON logs.' },
    LOG_LEVELS,
  ),
  ACCESS_LOG: enumSpec(
    {
      name: 'ACCESS_LOG',
      default: 'info',
      description: 'Level of the one-line-per-request access log (info, debug), or off.',
    },
    ACCESS_LOG_LEVELS,
  ),
  REQUEST_TIMEOUT: boundedDurationSpec(
    {
      name: 'REQUEST_TIMEOUT',
      default: 10,
      description: 'Seconds (1-300) to receive a whole request, headers and body; then 408.',
    },
    1,
    300,
  ),
  KEEP_ALIVE_TIMEOUT: boundedDurationSpec(
    {
      name: 'KEEP_ALIVE_TIMEOUT',
      default: 72,
      description: 'Seconds (1-600) an idle connection stays open for its next request.',
    },
    1,
    600,
  ),
  THROTTLE_ANON: rateSpec({
    name: 'THROTTLE_ANON',
    default: null,
    description: 'Anonymous requests per client IP (off by default, as DRF).',
  }),
  THROTTLE_USER: rateSpec({
    name: 'THROTTLE_USER',
    default: null,
    description: 'Authenticated requests per user (off by default, as DRF).',
  }),
  THROTTLE_LOGIN_USERNAME: rateSpec({
    name: 'THROTTLE_LOGIN_USERNAME',
    default: '5/min',
    description: 'Login attempts per username, checked before any password hash.',
  }),
  THROTTLE_LOGIN_IP: rateSpec({
    name: 'THROTTLE_LOGIN_IP',
    default: '20/min',
    description: 'Login attempts per client IP, checked before any password hash.',
  }),
  THROTTLE_REGISTER: rateSpec({
    name: 'THROTTLE_REGISTER',
    default: '10/hour',
    description: 'Registrations per client IP.',
  }),
  THROTTLE_MFA_TOKEN: rateSpec({
    name: 'THROTTLE_MFA_TOKEN',
    default: '5/min',
    description: 'Second-factor attempts per `mfa_token`, checked before the code.',
  }),
  THROTTLE_MFA_USER: rateSpec({
    name: 'THROTTLE_MFA_USER',
    default: '10/hour',
    description: 'Second-factor attempts per account (login, enrolment, disable), checked first.',
  }),
  LOGIN_FIELD: enumSpec(
    {
      name: 'LOGIN_FIELD',
      default: 'username',
      description: 'What logins name the user by: username, or email (then unique, any case).',
    },
    LOGIN_FIELDS,
  ),
  SLIDING_TOKENS: booleanSpec({
    name: 'SLIDING_TOKENS',
    default: false,
    description: "Mount simplejwt's sliding-token views.",
  }),
  WEB_PAGES: booleanSpec({
    name: 'WEB_PAGES',
    default: true,
    description:
      'Serve the account pages (/account/) and the staff portal (/admin/); they need TOKEN_TRANSPORT cookie or both.',
  }),
  REFRESH_REUSE_INTERVAL: boundedDurationSpec(
    {
      name: 'REFRESH_REUSE_INTERVAL',
      default: 0,
      description: 'Grace seconds (0-10) in which a rotated refresh token may be retried.',
    },
    0,
    10,
  ),
  ...browserSettingSpecs,
  TOKEN_CLAIMS: tokenClaimsSpec({
    name: 'TOKEN_CLAIMS',
    default: Object.freeze([]),
    description: "User facts in every new session's tokens, for resource servers.",
  }),
  PROFILE_FIELDS: profileFieldsSpec({
    name: 'PROFILE_FIELDS',
    default: Object.freeze([]),
    description: 'Extra user fields, a JSON list of declarations.',
  }),
  REDIS_URL: redisUrlSpec({
    name: 'REDIS_URL',
    default: undefined,
    description: 'redis://... : revocation bus and throttle counters shared by every instance.',
  }),
  REDIS_PREFIX: stringSpec({
    name: 'REDIS_PREFIX',
    default: 'tessera:',
    description: 'Prefix of the Redis keys and channel (deployments sharing a Redis differ).',
  }),
  REVOCATION_GRACE: boundedDurationSpec(
    {
      name: 'REVOCATION_GRACE',
      default: 0,
      description: 'Seconds (0-30) to trust the revocation view after its bus went down.',
    },
    0,
    30,
  ),
  KEY_ENCRYPTION_KEY: keyEncryptionKeySpec({
    name: 'KEY_ENCRYPTION_KEY',
    default: undefined,
    description: "Encrypts the key ring's private keys at rest: 32 bytes, base64url or hex.",
  }),
  KEY_ROTATION_INTERVAL: optionalDurationSpec(
    {
      name: 'KEY_ROTATION_INTERVAL',
      default: null,
      description: "Rotate the ring's signing key this often (at least 15m); off by default.",
    },
    MIN_KEY_ROTATION_INTERVAL,
  ),
  ...webauthnSettingSpecs,
  ...mailSettingSpecs,
})
