import { nowSeconds, openStoreContext, withContext } from '../cli-context.js'
import type { Command } from '../command.js'

/** How long a delivered message stays listed in the outbox. */
const SENT_MAIL_KEPT_SECONDS = 7 * 86_400

/** `tessera flushexpiredtokens`: simplejwt's command. */
export const flushExpiredTokensCommand: Command = {
  name: 'flushexpiredtokens',
  summary: 'Delete expired refresh tokens, sessions, revocations and MFA rows',
  usage: 'tessera flushexpiredtokens',
  help: `Deletes the rows that can no longer matter: refresh tokens, sessions and revocation
entries whose tokens have all expired (simplejwt's flushexpiredtokens), spent MFA tokens,
expired trusted devices, and mail the outbox delivered over a week ago. Run it from cron.

Options:
  -h, --help   show this help
`,
  options: {},
  positionals: { min: 0, max: 0, names: '' },
  async run({ io }) {
    return withContext(openStoreContext(io), async ({ stores }) => {
      const now = nowSeconds()
      const tokens = await stores.sessions.flushExpired(now)
      const revocations = await stores.revocations.flushExpired(now)
      const mfa = await stores.mfa.flushExpired(now)
      // Delivered mail is kept a week for `tessera mail outbox` (its body is already erased).
      const mail = await stores.mail.deleteSentBefore(now - SENT_MAIL_KEPT_SECONDS)
      io.stdout.write(
        `Deleted ${tokens} expired refresh token and session rows, ${revocations} expired ` +
          `revocations, ${mfa} spent MFA tokens and expired trusted devices and ${mail} mail ` +
          'messages delivered over a week ago.\n',
      )
      return 0
    })
  },
}
