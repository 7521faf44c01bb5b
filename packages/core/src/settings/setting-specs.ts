import { ALGORITHMS } from '../keys/algorithms.js'
import {
  booleanSpec,
  claimSpec,
  defineSpec,
  durationSpec,
  enumSpec,
  invalid,
  optionalStringSpec,
  type SettingSpec,
  schemeListSpec,
} from './setting-spec.js'
import { type SettingName, TESSERA_ENVS, type TesseraSettings } from './settings.js'

/** One spec per setting, keyed by name, each typed by its setting's value. */
export type SettingSpecs = { readonly [K in SettingName]: SettingSpec<TesseraSettings[K]> }

/**
 * The specs of Tessera's core settings, in documentation order: defaults, parsers, one-line
 * descriptions. Other packages can document and extend them (`Object.values(settingSpecs)`).
 */
export const settingSpecs: SettingSpecs = Object.freeze({
  ACCESS_TOKEN_LIFETIME: durationSpec(
    { name: 'ACCESS_TOKEN_LIFETIME', default: 300, description: 'Lifetime of access tokens.' },
    1,
  ),
  REFRESH_TOKEN_LIFETIME: durationSpec(
    { name: 'REFRESH_TOKEN_LIFETIME', default: 86_400, description: 'Lifetime of refresh tokens.' },
    1,
  ),
  ROTATE_REFRESH_TOKENS: booleanSpec({
    name: 'ROTATE_REFRESH_TOKENS',
    default: true,
    description: 'A refresh also returns a new refresh token (on by default, unlike simplejwt).',
  }),
  BLACKLIST_AFTER_ROTATION: booleanSpec({
    name: 'BLACKLIST_AFTER_ROTATION',
    default: true,
    description: 'A rotated refresh token is revoked; its reuse is refused.',
  }),
  ALGORITHM: enumSpec(
    { name: 'ALGORITHM', default: 'HS256', description: 'JWS algorithm tokens are signed with.' },
    ALGORITHMS,
  ),
  SIGNING_KEY: optionalStringSpec(
    {
      name: 'SIGNING_KEY',
      default: undefined,
      description:
        'HMAC secret or PEM private key tokens are signed with; unset with RS256/ES256/EdDSA: the key ring in the store.',
    },
    true,
  ),
  VERIFYING_KEY: optionalStringSpec(
    {
      name: 'VERIFYING_KEY',
      default: undefined,
      description: 'PEM public key tokens are verified with (asymmetric algorithms).',
    },
    true,
  ),
  AUDIENCE: optionalStringSpec({
    name: 'AUDIENCE',
    default: undefined,
    description: 'The `aud` claim set in and required from tokens.',
  }),
  ISSUER: optionalStringSpec({
    name: 'ISSUER',
    default: undefined,
    description: 'The `iss` claim set in and required from tokens.',
  }),
  LEEWAY: durationSpec(
    { name: 'LEEWAY', default: 0, description: 'Clock skew tolerated on `exp` and `nbf`.' },
    0,
  ),
  AUTH_HEADER_TYPES: schemeListSpec({
    name: 'AUTH_HEADER_TYPES',
    default: Object.freeze(['Bearer']),
    description: 'Accepted `Authorization` schemes (comma-separated in the environment).',
  }),
  USER_ID_CLAIM: claimSpec({
    name: 'USER_ID_CLAIM',
    default: 'user_id',
    description: 'Claim holding the user id.',
  }),
  TOKEN_TYPE_CLAIM: claimSpec({
    name: 'TOKEN_TYPE_CLAIM',
    default: 'token_type',
    description: 'Claim holding the token type.',
  }),
  JTI_CLAIM: claimSpec({
    name: 'JTI_CLAIM',
    default: 'jti',
    description: 'Claim holding the token id.',
  }),
  UPDATE_LAST_LOGIN: booleanSpec({
    name: 'UPDATE_LAST_LOGIN',
    default: false,
    description: "Obtaining tokens updates the user's last login time.",
  }),
  CHECK_USER_IS_ACTIVE: booleanSpec({
    name: 'CHECK_USER_IS_ACTIVE',
    default: true,
    description: 'Tokens of inactive users are refused.',
  }),
  SLIDING_TOKEN_LIFETIME: durationSpec(
    { name: 'SLIDING_TOKEN_LIFETIME', default: 300, description: 'Lifetime of sliding tokens.' },
    1,
  ),
  SLIDING_TOKEN_REFRESH_LIFETIME: durationSpec(
    {
      name: 'SLIDING_TOKEN_REFRESH_LIFETIME',
      default: 86_400,
      description: 'How long a sliding token can be refreshed.',
    },
    1,
  ),
  SLIDING_TOKEN_REFRESH_EXP_CLAIM: claimSpec({
    name: 'SLIDING_TOKEN_REFRESH_EXP_CLAIM',
    default: 'refresh_exp',
    description: "Claim holding a sliding token's refresh deadline.",
  }),
  ENV: enumSpec(
    { name: 'ENV', default: 'development', description: 'Environment Tessera runs in.' },
    TESSERA_ENVS,
  ),
  MFA_TOKEN_LIFETIME: durationSpec(
    {
      name: 'MFA_TOKEN_LIFETIME',
      default: 300,
      description: 'Lifetime of the `mfa_token` between the password and the code steps.',
    },
    1,
  ),
  MFA_TRUSTED_DEVICE_LIFETIME: durationSpec(
    {
      name: 'MFA_TRUSTED_DEVICE_LIFETIME',
      default: 30 * 86_400,
      description: 'How long a device remembered at a second-factor login skips the code.',
    },
    1,
  ),
  MFA_ISSUER: defineSpec(
    {
      name: 'MFA_ISSUER',
      default: 'Tessera',
      description: 'Issuer shown by authenticator apps (the `otpauth://` URI and its QR code).',
    },
    (raw) => {
      // The issuer is the prefix of the URI's label: a colon would split it (Key Uri Format).
      if (
        typeof raw !== 'string' ||
        !/^[\p{L}\p{N}\p{P}\p{S} ]{1,64}$/u.test(raw) ||
        raw.includes(':')
      ) {
        throw invalid('MFA_ISSUER', '1-64 characters without ":" or control characters', raw)
      }
      return raw
    },
  ),
  MFA_REQUIRED_FOR_STAFF: booleanSpec({
    name: 'MFA_REQUIRED_FOR_STAFF',
    default: false,
    description: 'Staff must enrol a second factor before using staff-only endpoints.',
  }),
})

/** The settings holding claim names; they must differ from one another. */
export const CLAIM_SETTINGS = [
  'USER_ID_CLAIM',
  'TOKEN_TYPE_CLAIM',
  'JTI_CLAIM',
  'SLIDING_TOKEN_REFRESH_EXP_CLAIM',
] as const satisfies readonly SettingName[]

/** One row of the settings table in docs. */
export interface SettingDescription {
  /** The setting's name, e.g. `ACCESS_TOKEN_LIFETIME`. */
  readonly name: string
  /** Its environment variable, e.g. `TESSERA_ACCESS_TOKEN_LIFETIME`. */
  readonly env: string
  /** Its default as written in docs (`5m`, `true`, `Bearer`, `(unset)`). */
  readonly default: string
  /** One line saying what it does. */
  readonly description: string
}

/**
 * Describes settings for a README table, in documentation order.
 *
 * @param specs - The specs to describe; default Tessera's core {@link settingSpecs}. Pass
 * `[...Object.values(settingSpecs), ...mySpecs]` to document extra settings too.
 * @example
 * for (const s of describeSettings()) console.log(`| ${s.env} | ${s.default} | ${s.description} |`)
 */
export function describeSettings(
  specs: Iterable<SettingSpec<unknown>> = Object.values(settingSpecs),
): SettingDescription[] {
  return [...specs].map((spec) => ({
    name: spec.name,
    env: spec.env,
    default: spec.format(spec.default),
    description: spec.description,
  }))
}
