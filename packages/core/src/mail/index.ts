/**
 * `@tessera/core/mail`: the mail outbox sender, the templates, and Django-style link tokens for
 * activation, password and username resets and email changes.
 * @module
 */

export type { AccountMailOptions, AccountMailUrls } from './account-mail-options.js'
export {
  MAIL_TEMPLATE_NAMES,
  MAIL_TEMPLATE_VARIABLES,
  type MailTemplate,
  type MailTemplateContext,
  type MailTemplateName,
  MailTemplates,
  type RenderedMail,
} from './mail-templates.js'
export type { MailMessage, MailTransport } from './mail-transport.js'
export {
  describeMailError,
  isPermanentMailError,
  OutboxSender,
  type OutboxSenderOptions,
  type SenderScheduler,
} from './outbox-sender.js'
export {
  DEFAULT_PASSWORD_RESET_TIMEOUT,
  decodeUid,
  encodeUid,
  UserTokenGenerator,
  type UserTokenGeneratorOptions,
  type UserTokenPurpose,
} from './user-token-generator.js'
