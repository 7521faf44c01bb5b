import type { MailTemplates } from './mail-templates.js'
import type { UserTokenGenerator } from './user-token-generator.js'

/** The frontend pages the links of the mails open, djoser's settings (`{uid}`, `{token}`). */
export interface AccountMailUrls {
  /** djoser's `ACTIVATION_URL`. Default `#/activate/{uid}/{token}`. */
  readonly activation: string
  /** djoser's `PASSWORD_RESET_CONFIRM_URL`. Default `#/password/reset/confirm/{uid}/{token}`. */
  readonly passwordResetConfirm: string
  /** djoser's `USERNAME_RESET_CONFIRM_URL`. Default `#/username/reset/confirm/{uid}/{token}`. */
  readonly usernameResetConfirm: string
  /** Tessera's `EMAIL_CHANGE_CONFIRM_URL`. Default `#/email/change/confirm/{uid}/{token}`. */
  readonly emailChangeConfirm: string
}

/**
 * What the account mail flows need (activation, password and username resets, confirmations,
 * email changes), as djoser's settings name them. The server builds it from its settings.
 */
export interface AccountMailOptions {
  readonly tokens: UserTokenGenerator
  readonly templates: MailTemplates
  /** Django's `DEFAULT_FROM_EMAIL`. */
  readonly from: string
  /** djoser's `SITE_NAME`, `DOMAIN` and `PROTOCOL`: links are `<protocol>://<domain>/<url>`. */
  readonly siteName: string
  readonly domain: string
  readonly protocol: 'http' | 'https'
  readonly urls: AccountMailUrls
  /** New accounts are inactive until the link of an activation mail is opened. */
  readonly sendActivationEmail: boolean
  /** A mail once an account is active (djoser's `SEND_CONFIRMATION_EMAIL`). */
  readonly sendConfirmationEmail: boolean
  readonly passwordChangedEmailConfirmation: boolean
  readonly usernameChangedEmailConfirmation: boolean
  /** A changed email takes effect once confirmed from the new address; the old one is told. */
  readonly emailChangeConfirmation: boolean
  /** Say so (400) when no active account has the address: enumeration, off by default. */
  readonly passwordResetShowEmailNotFound: boolean
  readonly usernameResetShowEmailNotFound: boolean
  /** Called after a message was written to the outbox (to wake the sender). */
  readonly onEnqueued?: () => void
  /** Told about a failure of a reset request handled after its answer (the store down). */
  readonly onBackgroundError?: (error: unknown) => void
}
