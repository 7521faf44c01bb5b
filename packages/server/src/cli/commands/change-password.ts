import { PasswordHasher, type UserRecord } from '@tessera/core'
import { openAuthContext, recordAudit, requireUser, withContext } from '../cli-context.js'
import { CommandError } from '../cli-errors.js'
import type { Command, CommandInput } from '../command.js'
import { askNewPassword, passwordProblems } from '../password-input.js'
import { Prompter } from '../prompter.js'

const PASSWORD_ENV = 'TESSERA_CHANGEPASSWORD_PASSWORD'
// Django's changepassword gives up after three tries.
const MAX_ATTEMPTS = 3

function attributes(user: UserRecord) {
  return {
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
  }
}

async function readPassword(input: CommandInput, user: UserRecord): Promise<string> {
  const { io } = input
  if (input.values['password-from-env'] === true) {
    const password = io.env[PASSWORD_ENV]
    if (password === undefined || password === '') {
      throw new CommandError(`set ${PASSWORD_ENV} to the new password (--password-from-env)`)
    }
    const problems = passwordProblems(password, attributes(user))
    if (problems !== undefined)
      throw new CommandError(`the password in ${PASSWORD_ENV} was refused: ${problems}`)
    return password
  }
  io.stderr.write(`Changing password for user '${user.username}'\n`)
  const prompter = new Prompter(io)
  try {
    const password = await askNewPassword(prompter, {
      user: attributes(user),
      allowBypass: false,
      maxAttempts: MAX_ATTEMPTS,
      messages: io.stderr,
    })
    if (password === undefined) {
      throw new CommandError(
        `Aborting password change for user '${user.username}' after ${MAX_ATTEMPTS} attempts`,
      )
    }
    return password
  } finally {
    prompter.close()
  }
}

/** `tessera changepassword <username>`: Django's command; also ends every session of the user. */
export const changePasswordCommand: Command = {
  name: 'changepassword',
  summary: "Change a user's password and end all their sessions",
  usage: 'tessera changepassword <username> [--password-from-env]',
  help: `Asks for the new password twice (not echoed), checks it with the password validators
(three attempts, as Django), stores it, then revokes every session and token of the user
issued until now.

Options:
  --password-from-env   read the new password from ${PASSWORD_ENV} (for
                        scripts); a password the validators refuse is an error
  -h, --help            show this help

Example:
  tessera changepassword alice
`,
  options: { 'password-from-env': { type: 'boolean' } },
  positionals: { min: 1, max: 1, names: '<username>' },
  async run(input) {
    const username = input.positionals[0] as string
    return withContext(openAuthContext(input.io), async ({ stores, auth }) => {
      const user = await requireUser(stores, username)
      const password = await readPassword(input, user)
      const encoded = await new PasswordHasher().hash(password)
      if ((await stores.users.updateUser(user.id, { password: encoded })) === undefined) {
        throw new CommandError(`user '${username}' does not exist`)
      }
      await auth.userChanged(user.id)
      await auth.revokeAllForUser(user.id, { reason: 'password_change', by: 'admin' })
      await recordAudit(stores, 'password_changed', user.id, { via: 'changepassword' })
      input.io.stdout.write(
        `Password changed successfully for user '${user.username}'; their sessions were ended.\n`,
      )
      return 0
    })
  },
}
