import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

/** The messages Tessera sends, named as djoser's email classes (plus the email change). */
export const MAIL_TEMPLATE_NAMES = [
  'activation',
  'confirmation',
  'password_reset',
  'password_changed_confirmation',
  'username_reset',
  'username_changed_confirmation',
  'email_change_confirmation',
  'email_changed_notice',
  'test',
] as const

/** One of {@link MAIL_TEMPLATE_NAMES}. */
export type MailTemplateName = (typeof MAIL_TEMPLATE_NAMES)[number]

/** The variables a template may use, as `{{ name }}` (djoser's context names). */
export const MAIL_TEMPLATE_VARIABLES = [
  'site_name',
  'domain',
  'protocol',
  'url',
  'link',
  'uid',
  'token',
  'username',
  'email',
  'new_email',
] as const

/** Values of the variables; absent ones render empty. */
export type MailTemplateContext = Partial<Record<(typeof MAIL_TEMPLATE_VARIABLES)[number], string>>

/** One template: a subject line, a plain-text body and an optional HTML body. */
export interface MailTemplate {
  readonly subject: string
  readonly text: string
  readonly html: string | null
}

/** A rendered message, ready for the outbox. */
export interface RenderedMail {
  readonly subject: string
  readonly text: string
  readonly html: string | null
}

const linkParagraph = (intro: string) => `${intro}

{{ link }}
`
const htmlLink = (intro: string) => `<p>${intro}</p>\n<p><a href="{{ link }}">{{ link }}</a></p>\n`
const signature = '\nThanks for using our site!\n\nThe {{ site_name }} team\n'
const htmlSignature = '<p>Thanks for using our site!</p>\n<p>The {{ site_name }} team</p>\n'

// djoser's subjects and wording, so that users see what a djoser site would send them.
const BUILT_IN: Readonly<Record<MailTemplateName, MailTemplate>> = {
  activation: {
    subject: 'Account activation on {{ site_name }}',
    text: `You're receiving this email because you need to finish activation process on {{ site_name }}.\n\n${linkParagraph('Please go to the following page to activate account:')}${signature}`,
    html: `<p>You're receiving this email because you need to finish activation process on {{ site_name }}.</p>\n${htmlLink('Please go to the following page to activate account:')}${htmlSignature}`,
  },
  confirmation: {
    subject: '{{ site_name }} - Your account has been successfully created and activated!',
    text: `Your account has been created and is ready to use!${signature}`,
    html: `<p>Your account has been created and is ready to use!</p>\n${htmlSignature}`,
  },
  password_reset: {
    subject: 'Password reset on {{ site_name }}',
    text: `You're receiving this email because you requested a password reset for your user account at {{ site_name }}.\n\n${linkParagraph('Please go to the following page and choose a new password:')}\nYour username, in case you've forgotten: {{ username }}\n${signature}`,
    html: `<p>You're receiving this email because you requested a password reset for your user account at {{ site_name }}.</p>\n${htmlLink('Please go to the following page and choose a new password:')}<p>Your username, in case you've forgotten: <b>{{ username }}</b></p>\n${htmlSignature}`,
  },
  password_changed_confirmation: {
    subject: '{{ site_name }} - Your password has been successfully changed!',
    text: `Your password has been changed!${signature}`,
    html: `<p>Your password has been changed!</p>\n${htmlSignature}`,
  },
  username_reset: {
    subject: 'Username reset on {{ site_name }}',
    text: `You're receiving this email because you requested a username reset for your user account at {{ site_name }}.\n\n${linkParagraph('Please go to the following page and choose a new username:')}${signature}`,
    html: `<p>You're receiving this email because you requested a username reset for your user account at {{ site_name }}.</p>\n${htmlLink('Please go to the following page and choose a new username:')}${htmlSignature}`,
  },
  username_changed_confirmation: {
    subject: '{{ site_name }} - Your username has been successfully changed!',
    text: `Your username has been changed!${signature}`,
    html: `<p>Your username has been changed!</p>\n${htmlSignature}`,
  },
  email_change_confirmation: {
    subject: 'Confirm your new email address on {{ site_name }}',
    text: `You're receiving this email because someone asked to use this address ({{ new_email }}) for the account {{ username }} at {{ site_name }}.\n\n${linkParagraph('Please go to the following page to confirm it:')}\nIf it wasn't you, ignore this message: nothing changes until the link is opened.\n${signature}`,
    html: `<p>You're receiving this email because someone asked to use this address ({{ new_email }}) for the account {{ username }} at {{ site_name }}.</p>\n${htmlLink('Please go to the following page to confirm it:')}<p>If it wasn't you, ignore this message: nothing changes until the link is opened.</p>\n${htmlSignature}`,
  },
  email_changed_notice: {
    subject: '{{ site_name }} - The email address of your account is changing',
    text: `Someone asked to change the email address of your account {{ username }} at {{ site_name }} to {{ new_email }}.\n\nIf it wasn't you, change your password now and contact us.\n${signature}`,
    html: `<p>Someone asked to change the email address of your account {{ username }} at {{ site_name }} to {{ new_email }}.</p>\n<p>If it wasn't you, change your password now and contact us.</p>\n${htmlSignature}`,
  },
  test: {
    subject: 'Test message from {{ site_name }}',
    text: `This is a test message from {{ site_name }} ({{ protocol }}://{{ domain }}): mail works.\n`,
    html: null,
  },
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]+)\s*\}\}/g

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) =>
      ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char,
  )
}

function checkPlaceholders(text: string, where: string): void {
  for (const [, name] of text.matchAll(PLACEHOLDER)) {
    if (!(MAIL_TEMPLATE_VARIABLES as readonly string[]).includes(name ?? '')) {
      throw new TypeError(
        `${where}: unknown variable {{ ${name} }}; known: ${MAIL_TEMPLATE_VARIABLES.join(', ')}`,
      )
    }
  }
}

/**
 * The mail templates: djoser's messages built in, each replaceable by files in a directory
 * (`<name>.subject.txt`, `<name>.txt`, `<name>.html`; a missing file keeps the built-in part, an
 * empty `<name>.html` sends plain text only). Variables are written `{{ name }}`; values are
 * HTML-escaped in HTML bodies and line breaks are removed from subjects (no header injection).
 * Files are read and checked once, at construction: an unknown variable is a start-up error.
 *
 * @example
 * const templates = new MailTemplates({ directory: '/etc/tessera/mail' })
 * templates.render('password_reset', { site_name: 'Example', link, username })
 */
export class MailTemplates {
  readonly #templates: ReadonlyMap<MailTemplateName, MailTemplate>

  constructor(options: { readonly directory?: string | undefined } = {}) {
    const templates = new Map<MailTemplateName, MailTemplate>()
    for (const name of MAIL_TEMPLATE_NAMES) {
      const builtIn = BUILT_IN[name]
      const read = (suffix: string): string | undefined => {
        if (options.directory === undefined) return undefined
        const path = join(options.directory, `${name}${suffix}`)
        if (!existsSync(path)) return undefined
        const text = readFileSync(path, 'utf8')
        checkPlaceholders(text, path)
        return text
      }
      const html = read('.html')
      templates.set(name, {
        subject: read('.subject.txt')?.trim() ?? builtIn.subject,
        text: read('.txt') ?? builtIn.text,
        html: html === undefined ? builtIn.html : html.trim() === '' ? null : html,
      })
    }
    this.#templates = templates
  }

  /** Renders template `name` with `context`. */
  render(name: MailTemplateName, context: MailTemplateContext): RenderedMail {
    const template = this.#templates.get(name) ?? BUILT_IN[name]
    const fill = (text: string, encode: (value: string) => string) =>
      text.replace(PLACEHOLDER, (_, variable: string) =>
        encode(context[variable as keyof MailTemplateContext] ?? ''),
      )
    return {
      subject: fill(template.subject, (value) => value)
        .replace(/[\r\n]+/g, ' ')
        .trim(),
      text: fill(template.text, (value) => value),
      html: template.html === null ? null : fill(template.html, escapeHtml),
    }
  }
}
