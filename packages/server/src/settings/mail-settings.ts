/** Django's `EMAIL_BACKEND`, by short name: SMTP, the console (stdout), or one file per message. */
export const EMAIL_BACKENDS = ['smtp', 'console', 'file'] as const

/** One of {@link EMAIL_BACKENDS}. */
export type EmailBackend = (typeof EMAIL_BACKENDS)[number]

/** `http` or `https`: djoser's `PROTOCOL`. */
export const LINK_PROTOCOLS = ['http', 'https'] as const

/**
 * The server's mail settings: Django's `EMAIL_*` names for sending, djoser's for the account
 * flows (activation, resets, confirmations) and their links.
 */
export interface MailSettings {
  /** Where mail goes: `smtp`, `console` (stdout, development) or `file`. Default `console`. */
  readonly EMAIL_BACKEND: EmailBackend
  /** SMTP host. Default `localhost`. */
  readonly EMAIL_HOST: string
  /** SMTP port. Default `25`. */
  readonly EMAIL_PORT: number
  /** SMTP user; unset: no authentication. */
  readonly EMAIL_HOST_USER: string | undefined
  /** SMTP password. Secret. */
  readonly EMAIL_HOST_PASSWORD: string | undefined
  /** STARTTLS on a plain connection (port 587). Default `false`. */
  readonly EMAIL_USE_TLS: boolean
  /** Implicit TLS (port 465). Default `false`. */
  readonly EMAIL_USE_SSL: boolean
  /** Seconds an SMTP connection or command may take; null: nodemailer's defaults. */
  readonly EMAIL_TIMEOUT: number | null
  /** Directory of the `file` backend (one file per message); unset: `DATA_DIR/mail`. */
  readonly EMAIL_FILE_PATH: string | undefined
  /** The sender of every message. Default `webmaster@localhost` (Django's). */
  readonly DEFAULT_FROM_EMAIL: string
  /** Directory of template files replacing the built-in ones; unset: the built-ins. */
  readonly EMAIL_TEMPLATES_DIR: string | undefined
  /** The secret links are signed with (Django's `SECRET_KEY`); unset: derived from SIGNING_KEY. */
  readonly SECRET_KEY: string | undefined
  /** Seconds a reset or activation link stays valid. Default 3 days. */
  readonly PASSWORD_RESET_TIMEOUT: number
  /** Mount djoser's routes under `/auth/`. Default `true`. */
  readonly AUTH_ROUTES: boolean
  readonly SEND_ACTIVATION_EMAIL: boolean
  readonly SEND_CONFIRMATION_EMAIL: boolean
  readonly PASSWORD_CHANGED_EMAIL_CONFIRMATION: boolean
  readonly USERNAME_CHANGED_EMAIL_CONFIRMATION: boolean
  readonly EMAIL_CHANGE_CONFIRMATION: boolean
  readonly PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND: boolean
  readonly USERNAME_RESET_SHOW_EMAIL_NOT_FOUND: boolean
  readonly USER_CREATE_PASSWORD_RETYPE: boolean
  readonly SET_PASSWORD_RETYPE: boolean
  readonly PASSWORD_RESET_CONFIRM_RETYPE: boolean
  readonly SET_USERNAME_RETYPE: boolean
  readonly USERNAME_RESET_CONFIRM_RETYPE: boolean
  readonly ACTIVATION_URL: string
  readonly PASSWORD_RESET_CONFIRM_URL: string
  readonly USERNAME_RESET_CONFIRM_URL: string
  readonly EMAIL_CHANGE_CONFIRM_URL: string
  /** The host (and port) of the frontend the links open. Default `localhost:8000`. */
  readonly DOMAIN: string
  readonly SITE_NAME: string
  readonly PROTOCOL: (typeof LINK_PROTOCOLS)[number]
  /** Mail-sending requests per address (resets, activation resends). Default `3/hour`. */
  readonly THROTTLE_MAIL_EMAIL: string | null
  /** Mail-sending requests per client IP. Default `10/hour`. */
  readonly THROTTLE_MAIL_IP: string | null
}

/** Mail settings as given in code or `tessera.config.json`: durations also as strings. */
export type MailSettingsInput = {
  readonly [K in keyof MailSettings]?: MailSettings[K] extends number
    ? number | string
    : MailSettings[K] extends number | null
      ? number | string | null
      : MailSettings[K]
}
