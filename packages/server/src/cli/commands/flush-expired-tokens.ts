import { nowSeconds, openStoreContext, withContext } from '../cli-context.js'
import type { Command } from '../command.js'

/** `tessera flushexpiredtokens`: simplejwt's command. */
export const flushExpiredTokensCommand: Command = {
  name: 'flushexpiredtokens',
  summary: 'Delete expired refresh tokens, sessions, revocations and MFA rows',
  usage: 'tessera flushexpiredtokens',
  help: `Deletes the rows that can no longer matter: refresh tokens, sessions and revocation
entries whose tokens have all expired (simplejwt's flushexpiredtokens), spent MFA tokens and
expired trusted devices. Run it from cron.

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
      io.stdout.write(
        `Deleted ${tokens} expired refresh token and session rows, ${revocations} expired ` +
          `revocations and ${mfa} spent MFA tokens and expired trusted devices.\n`,
      )
      return 0
    })
  },
}
