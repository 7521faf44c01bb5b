import { durationSpec, optionalStringSpec, type SettingSpec } from '@tessera/core'
import { EMAIL_BACKENDS, LINK_PROTOCOLS, type MailSettings } from './mail-settings.js'
import {
  booleanSpec,
  defineSpec,
  enumSpec,
  invalid,
  optionalDurationSpec,
  portSpec,
  rateSpec,
  stringSpec,
} from './spec-builders.js'

/** A link path with `{uid}` and `{token}`, relative to `PROTOCOL://DOMAIN/` (djoser's form). */
function urlSpec(base: { name: string; default: string; description: string }) {
  return defineSpec<string>(base, (raw) => {
    if (typeof raw !== 'string' || !raw.includes('{uid}') || !raw.includes('{token}')) {
      throw invalid(
        base.name,
        'a path holding {uid} and {token}, e.g. #/activate/{uid}/{token}',
        raw,
      )
    }
    if (/^[a-z]+:\/\//i.test(raw) || /\s/.test(raw)) {
      throw invalid(
        base.name,
        'a path without scheme or spaces (PROTOCOL and DOMAIN prefix it)',
        raw,
      )
    }
    return raw
  })
}

const flag = (name: string, description: string) =>
  booleanSpec({ name, default: false, description })

/** One spec per mail setting, in documentation order. */
export const mailSettingSpecs: {
  readonly [K in keyof MailSettings]: SettingSpec<MailSettings[K]>
} = Object.freeze({
  EMAIL_BACKEND: enumSpec(
    {
      name: 'EMAIL_BACKEND',
      default: 'console',
      description: 'Where mail goes: smtp, console (stdout) or file (one file per message).',
    },
    EMAIL_BACKENDS,
  ),
  EMAIL_HOST: stringSpec({ name: 'EMAIL_HOST', default: 'localhost', description: 'SMTP host.' }),
  EMAIL_PORT: portSpec({ name: 'EMAIL_PORT', default: 25, description: 'SMTP port.' }),
  EMAIL_HOST_USER: optionalStringSpec({
    name: 'EMAIL_HOST_USER',
    default: undefined,
    description: 'SMTP user; unset: no authentication.',
  }),
  EMAIL_HOST_PASSWORD: optionalStringSpec(
    { name: 'EMAIL_HOST_PASSWORD', default: undefined, description: 'SMTP password.' },
    true,
  ),
  EMAIL_USE_TLS: flag('EMAIL_USE_TLS', 'STARTTLS on a plain SMTP connection (port 587).'),
  EMAIL_USE_SSL: flag('EMAIL_USE_SSL', 'Implicit TLS from the first byte (port 465).'),
  EMAIL_TIMEOUT: optionalDurationSpec(
    {
      name: 'EMAIL_TIMEOUT',
      default: null,
      description: 'Time an SMTP connection or command may take; off: the library defaults.',
    },
    1,
  ),
  EMAIL_FILE_PATH: optionalStringSpec({
    name: 'EMAIL_FILE_PATH',
    default: undefined,
    description: 'Directory of the file backend; unset: DATA_DIR/mail.',
  }),
  DEFAULT_FROM_EMAIL: stringSpec({
    name: 'DEFAULT_FROM_EMAIL',
    default: 'webmaster@localhost',
    description: 'The sender of every message.',
  }),
  EMAIL_TEMPLATES_DIR: optionalStringSpec({
    name: 'EMAIL_TEMPLATES_DIR',
    default: undefined,
    description: 'Directory of mail templates replacing the built-in ones (name.txt, .html).',
  }),
  SECRET_KEY: optionalStringSpec(
    {
      name: 'SECRET_KEY',
      default: undefined,
      description: 'Secret the mail links are signed with; unset: derived from SIGNING_KEY.',
    },
    true,
  ),
  PASSWORD_RESET_TIMEOUT: durationSpec(
    {
      name: 'PASSWORD_RESET_TIMEOUT',
      default: 3 * 86_400,
      description: 'How long a reset or activation link stays valid.',
    },
    1,
  ),
  AUTH_ROUTES: booleanSpec({
    name: 'AUTH_ROUTES',
    default: true,
    description: "Mount djoser's routes under /auth/ (users/..., jwt/...).",
  }),
  SEND_ACTIVATION_EMAIL: flag(
    'SEND_ACTIVATION_EMAIL',
    'New accounts stay inactive until the link of their activation mail is opened.',
  ),
  SEND_CONFIRMATION_EMAIL: flag(
    'SEND_CONFIRMATION_EMAIL',
    'Mail the user once the account is created and active.',
  ),
  PASSWORD_CHANGED_EMAIL_CONFIRMATION: flag(
    'PASSWORD_CHANGED_EMAIL_CONFIRMATION',
    'Mail the user after a password change or reset.',
  ),
  USERNAME_CHANGED_EMAIL_CONFIRMATION: flag(
    'USERNAME_CHANGED_EMAIL_CONFIRMATION',
    'Mail the user after a username change or reset.',
  ),
  EMAIL_CHANGE_CONFIRMATION: flag(
    'EMAIL_CHANGE_CONFIRMATION',
    'A new email takes effect once confirmed from it; the old address is told.',
  ),
  PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND: flag(
    'PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND',
    'Say when no account has the address (enumeration: off by default).',
  ),
  USERNAME_RESET_SHOW_EMAIL_NOT_FOUND: flag(
    'USERNAME_RESET_SHOW_EMAIL_NOT_FOUND',
    'The same, for username resets.',
  ),
  USER_CREATE_PASSWORD_RETYPE: flag(
    'USER_CREATE_PASSWORD_RETYPE',
    'djoser registration asks for re_password.',
  ),
  SET_PASSWORD_RETYPE: flag('SET_PASSWORD_RETYPE', 'set_password asks for re_new_password.'),
  PASSWORD_RESET_CONFIRM_RETYPE: flag(
    'PASSWORD_RESET_CONFIRM_RETYPE',
    'reset_password_confirm asks for re_new_password.',
  ),
  SET_USERNAME_RETYPE: flag('SET_USERNAME_RETYPE', 'set_username asks for re_new_username.'),
  USERNAME_RESET_CONFIRM_RETYPE: flag(
    'USERNAME_RESET_CONFIRM_RETYPE',
    'reset_username_confirm asks for re_new_username.',
  ),
  ACTIVATION_URL: urlSpec({
    name: 'ACTIVATION_URL',
    default: 'account/activate/#{uid}/{token}',
    description: 'Frontend path of activation links (default: the account pages).',
  }),
  PASSWORD_RESET_CONFIRM_URL: urlSpec({
    name: 'PASSWORD_RESET_CONFIRM_URL',
    default: 'account/password/reset/#{uid}/{token}',
    description: 'Frontend path of password reset links (default: the account pages).',
  }),
  USERNAME_RESET_CONFIRM_URL: urlSpec({
    name: 'USERNAME_RESET_CONFIRM_URL',
    default: '#/username/reset/confirm/{uid}/{token}',
    description: 'Frontend path of username reset links.',
  }),
  EMAIL_CHANGE_CONFIRM_URL: urlSpec({
    name: 'EMAIL_CHANGE_CONFIRM_URL',
    default: 'account/email/confirm/#{uid}/{token}',
    description: 'Frontend path of email change confirmation links (default: the account pages).',
  }),
  DOMAIN: stringSpec({
    name: 'DOMAIN',
    default: 'localhost:8000',
    description: 'Host (and port) of the frontend the links open.',
  }),
  SITE_NAME: stringSpec({
    name: 'SITE_NAME',
    default: 'Tessera',
    description: 'The site name in mail subjects and bodies.',
  }),
  PROTOCOL: enumSpec(
    { name: 'PROTOCOL', default: 'http', description: 'Scheme of the links: http or https.' },
    LINK_PROTOCOLS,
  ),
  THROTTLE_MAIL_EMAIL: rateSpec({
    name: 'THROTTLE_MAIL_EMAIL',
    default: '3/hour',
    description: 'Mail-sending requests (resets, activation) per address, before any lookup.',
  }),
  THROTTLE_MAIL_IP: rateSpec({
    name: 'THROTTLE_MAIL_IP',
    default: '10/hour',
    description: 'Mail-sending requests per client IP, before any lookup.',
  }),
})
