import type { AccountMailOptions } from '../mail/account-mail-options.js'
import type { MailTemplateContext, MailTemplateName } from '../mail/mail-templates.js'
import { encodeUid, type UserTokenPurpose } from '../mail/user-token-generator.js'
import type { UserRecord } from '../stores/user-store.js'
import type { ServiceContext } from './service-context.js'

/** The mail options of `context`; a TypeError (a wiring mistake, 500) when none were given. */
export function mailOptions(context: ServiceContext): AccountMailOptions {
  if (context.mail === undefined) {
    throw new TypeError('AuthService: this flow sends mail; give the `mail` option')
  }
  return context.mail
}

/** `<protocol>://<domain>/<url>` with `{uid}` and `{token}` filled in (djoser's links). */
export function accountLink(
  mail: AccountMailOptions,
  url: string,
  values: { readonly uid: string; readonly token: string },
): { url: string; link: string } {
  const path = url.replace('{uid}', values.uid).replace('{token}', values.token)
  return { url: path, link: `${mail.protocol}://${mail.domain}/${path.replace(/^\//, '')}` }
}

/**
 * Renders template `name` for `user` and writes it to the outbox, addressed to `to` (the user's
 * address unless told otherwise), then wakes the sender. With a `link`, the message carries a
 * fresh token of that purpose for the user's current state.
 */
export async function sendAccountMail(
  context: ServiceContext,
  name: MailTemplateName,
  user: UserRecord,
  options: {
    readonly to?: string
    readonly link?: { readonly purpose: UserTokenPurpose; readonly url: string }
    readonly extra?: MailTemplateContext
    /** Extra state the token binds (the new address of an email change). */
    readonly tokenExtra?: string
  } = {},
): Promise<void> {
  const mail = mailOptions(context)
  const to = options.to ?? user.email
  // An account without an address cannot be mailed: nothing to write, nothing to tell.
  if (to === '') return
  let linkContext: MailTemplateContext = {}
  if (options.link !== undefined) {
    const uid = encodeUid(user.id)
    const made = mail.tokens.make(user, options.link.purpose, options.tokenExtra)
    // An email change's link carries the new address too: the token binds it, the link says it.
    const token =
      options.link.purpose === 'email_change'
        ? `${Buffer.from(options.tokenExtra ?? '', 'utf8').toString('base64url')}.${made}`
        : made
    linkContext = { uid, token, ...accountLink(mail, options.link.url, { uid, token }) }
  }
  const rendered = mail.templates.render(name, {
    site_name: mail.siteName,
    domain: mail.domain,
    protocol: mail.protocol,
    username: user.username,
    email: user.email,
    ...linkContext,
    ...options.extra,
  })
  await context.stores.mail.enqueue({
    kind: name,
    from: mail.from,
    to,
    ...rendered,
    createdAt: context.clock(),
    userId: user.id,
  })
  mail.onEnqueued?.()
}

/**
 * Work done after the answer was sent (the lookups of a reset request), tracked so that
 * `idle()` can wait for it: tests, and a graceful shutdown before the outbox is flushed.
 */
export class BackgroundTasks {
  readonly #running = new Set<Promise<void>>()

  /**
   * Runs `task` once the current answer is on its way (`setImmediate`: after this turn's I/O),
   * without waiting for it; its failure goes to `onError`. Started at once, a synchronous driver
   * (better-sqlite3) would run the lookup before the answer is written, and the answer's time
   * would tell whether it found someone.
   */
  run(task: () => Promise<void>, onError: (error: unknown) => void): void {
    const promise = new Promise<void>((resolve) => setImmediate(resolve))
      .then(task)
      .catch((error: unknown) => {
        try {
          onError(error)
        } catch {
          // A failing logger must not become an unhandled rejection.
        }
      })
      .finally(() => this.#running.delete(promise))
    this.#running.add(promise)
  }

  /** Resolves once every task started so far (and those they start) is over. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all(this.#running)
  }
}
