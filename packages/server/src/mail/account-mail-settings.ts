import { createHmac } from 'node:crypto'
import { emailKey, isHmacAlgorithm, SettingsError, type Stores } from '@tessera/core'
import { type AccountMailOptions, MailTemplates, UserTokenGenerator } from '@tessera/core/mail'
import type { ServerSettings } from '../settings/server-settings.js'

/**
 * The secret the mail links are signed with: `SECRET_KEY`, else one derived from an HMAC
 * `SIGNING_KEY` (a distinct key: a link token is never a JWT signature), else, with the key ring
 * (RS256...), the development key's in development; production then needs `SECRET_KEY`.
 */
export function resolveMailSecret(
  settings: ServerSettings,
  developmentSecret: () => string,
): string {
  if (settings.SECRET_KEY !== undefined) {
    if (Buffer.byteLength(settings.SECRET_KEY) < 32) {
      throw new SettingsError('SECRET_KEY', 'SECRET_KEY must be at least 32 bytes')
    }
    return settings.SECRET_KEY
  }
  if (isHmacAlgorithm(settings.ALGORITHM) && settings.SIGNING_KEY !== undefined) {
    return createHmac('sha256', settings.SIGNING_KEY).update('tessera mail links').digest('hex')
  }
  if (settings.ENV === 'production') {
    throw new SettingsError(
      'SECRET_KEY',
      `TESSERA_ENV=production with ${settings.ALGORITHM} needs TESSERA_SECRET_KEY (at least 32 ` +
        'random bytes): the links of reset and activation mails are signed with it',
    )
  }
  return createHmac('sha256', developmentSecret()).update('tessera mail links').digest('hex')
}

/**
 * Refuses mail settings that cannot work: TLS and SSL together, and, in production, the console
 * backend while the `/auth/` routes send mail (the links would go to the log, not to users).
 */
export function checkMailSettings(settings: ServerSettings): void {
  if (settings.EMAIL_USE_TLS && settings.EMAIL_USE_SSL) {
    throw new SettingsError(
      'EMAIL_USE_TLS',
      'EMAIL_USE_TLS and EMAIL_USE_SSL are exclusive: TLS is STARTTLS (port 587), SSL is implicit TLS (port 465)',
    )
  }
  if (
    settings.ENV === 'production' &&
    settings.EMAIL_BACKEND === 'console' &&
    settings.AUTH_ROUTES
  ) {
    throw new SettingsError(
      'EMAIL_BACKEND',
      'TESSERA_ENV=production refuses the console mail backend while the /auth/ routes send ' +
        'mail (password resets, activation): set TESSERA_EMAIL_BACKEND=smtp and ' +
        'TESSERA_EMAIL_HOST (or file), or TESSERA_AUTH_ROUTES=false',
    )
  }
}

/** The account mail flows' options from the settings. */
export function accountMailOptions(
  settings: ServerSettings,
  secret: string,
  hooks: Pick<AccountMailOptions, 'onEnqueued' | 'onBackgroundError'> = {},
): AccountMailOptions {
  return {
    tokens: new UserTokenGenerator({ secret, timeout: settings.PASSWORD_RESET_TIMEOUT }),
    templates: new MailTemplates({ directory: settings.EMAIL_TEMPLATES_DIR }),
    from: settings.DEFAULT_FROM_EMAIL,
    siteName: settings.SITE_NAME,
    domain: settings.DOMAIN,
    protocol: settings.PROTOCOL,
    urls: {
      activation: settings.ACTIVATION_URL,
      passwordResetConfirm: settings.PASSWORD_RESET_CONFIRM_URL,
      usernameResetConfirm: settings.USERNAME_RESET_CONFIRM_URL,
      emailChangeConfirm: settings.EMAIL_CHANGE_CONFIRM_URL,
    },
    sendActivationEmail: settings.SEND_ACTIVATION_EMAIL,
    sendConfirmationEmail: settings.SEND_CONFIRMATION_EMAIL,
    passwordChangedEmailConfirmation: settings.PASSWORD_CHANGED_EMAIL_CONFIRMATION,
    usernameChangedEmailConfirmation: settings.USERNAME_CHANGED_EMAIL_CONFIRMATION,
    emailChangeConfirmation: settings.EMAIL_CHANGE_CONFIRMATION,
    passwordResetShowEmailNotFound: settings.PASSWORD_RESET_SHOW_EMAIL_NOT_FOUND,
    usernameResetShowEmailNotFound: settings.USERNAME_RESET_SHOW_EMAIL_NOT_FOUND,
    ...hooks,
  }
}

/**
 * `LOGIN_FIELD=email` needs one account per address: refuses to start, naming the accounts that
 * share one (by id, not address), rather than guessing which of them an address logs in.
 */
export async function checkUniqueEmails(stores: Stores): Promise<void> {
  const owners = new Map<string, string[]>()
  let afterId: string | undefined
  for (;;) {
    const page = await stores.users.listUsers({ limit: 1000, ...(afterId ? { afterId } : {}) })
    for (const user of page) {
      if (user.email === '') continue
      const key = emailKey(user.email)
      owners.set(key, [...(owners.get(key) ?? []), user.id])
    }
    if (page.length < 1000) break
    afterId = page.at(-1)?.id
  }
  const shared = [...owners.values()].filter((ids) => ids.length > 1)
  if (shared.length === 0) return
  const examples = shared
    .slice(0, 5)
    .map((ids) => `users ${ids.join(', ')}`)
    .join('; ')
  throw new SettingsError(
    'LOGIN_FIELD',
    `LOGIN_FIELD=email needs one account per email address, but ${shared.length} address(es) ` +
      `are shared (${examples}); give each account its own address (tessera users show <id>), ` +
      'or keep LOGIN_FIELD=username',
  )
}
