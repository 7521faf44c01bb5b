import type { Stores, UserRecord } from '@tessera/core'
import { CLI_ACTOR } from '@tessera/core/admin'
import {
  nowSeconds,
  openAuthContext,
  openStoreContext,
  requireUser,
  withContext,
} from '../cli-context.js'
import { UsageError } from '../cli-errors.js'
import type { CliOutput } from '../cli-io.js'
import type { Command, CommandInput } from '../command.js'
import { formatTable, formatTime, printable } from '../format-table.js'

const PAGE = 500
const SUBCOMMANDS = ['list', 'show', 'deactivate', 'activate', 'reset-mfa'] as const
type Subcommand = (typeof SUBCOMMANDS)[number]

const yesNo = (value: boolean) => (value ? 'yes' : 'no')

async function* allUsers(stores: Stores): AsyncGenerator<UserRecord> {
  let afterId: string | undefined
  for (;;) {
    const page = await stores.users.listUsers({
      limit: PAGE,
      ...(afterId === undefined ? {} : { afterId }),
    })
    yield* page
    if (page.length < PAGE) return
    afterId = page.at(-1)?.id
  }
}

/** A user as the JSON output shows it: Django's field names, never the password hash. */
function userJson(user: UserRecord): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    first_name: user.firstName,
    last_name: user.lastName,
    is_active: user.isActive,
    is_staff: user.isStaff,
    is_superuser: user.isSuperuser,
    last_login: user.lastLogin === null ? null : formatTime(user.lastLogin),
    date_joined: formatTime(user.dateJoined),
    has_usable_password: user.password !== null && !user.password.startsWith('!'),
    ...(Object.keys(user.profile).length === 0 ? {} : { profile: user.profile }),
  }
}

async function list(stores: Stores, out: CliOutput, json: boolean): Promise<void> {
  const users: UserRecord[] = []
  for await (const user of allUsers(stores)) users.push(user)
  if (json) {
    out.write(`${JSON.stringify(users.map(userJson), null, 2)}\n`)
    return
  }
  if (users.length === 0) {
    out.write('No users.\n')
    return
  }
  const header = ['ID', 'USERNAME', 'EMAIL', 'ACTIVE', 'STAFF', 'SUPERUSER', 'LAST LOGIN']
  const rows = users.map((user) => [
    user.id,
    printable(user.username),
    printable(user.email) || '-',
    yesNo(user.isActive),
    yesNo(user.isStaff),
    yesNo(user.isSuperuser),
    formatTime(user.lastLogin),
  ])
  out.write(`${formatTable([header, ...rows])}\n`)
}

function cellText(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-'
  return printable(typeof value === 'string' ? value : JSON.stringify(value))
}

async function show(stores: Stores, out: CliOutput, username: string, json: boolean) {
  const user = await requireUser(stores, username)
  const sessions = await stores.sessions.listSessions(user.id, nowSeconds())
  // Whether a login asks for a second factor: what an operator checks before `reset-mfa`.
  const mfaEnabled = (await stores.mfa.findTotp(user.id))?.confirmedAt != null
  const data = { ...userJson(user), active_sessions: sessions.length, mfa_enabled: mfaEnabled }
  if (json) {
    out.write(`${JSON.stringify(data, null, 2)}\n`)
    return
  }
  const rows = Object.entries(data).map(([key, value]) => [`${key}:`, cellText(value)])
  out.write(`${formatTable(rows)}\n`)
}

async function setActive(input: CommandInput, username: string, active: boolean): Promise<void> {
  await withContext(openAuthContext(input.io), async ({ stores, auth }) => {
    const user = await requireUser(stores, username)
    // The admin API's change: audited, the caches told, and a deactivation ends every session
    // and cuts off every token issued until now.
    await auth.admin.updateUser(CLI_ACTOR, user.id, { is_active: active })
    const name = printable(user.username)
    input.io.stdout.write(
      active
        ? `User '${name}' ${user.isActive ? 'was already' : 'is now'} active.\n`
        : `User '${name}' ${user.isActive ? 'is now' : 'was already'} inactive; ` +
            'all their sessions and tokens were revoked.\n',
    )
  })
}

/**
 * `users reset-mfa`: a user who lost their authenticator and their recovery codes logs in with
 * the password alone again (and may enrol anew); their trusted devices are forgotten.
 */
async function resetMfa(input: CommandInput, username: string): Promise<void> {
  await withContext(openAuthContext(input.io), async ({ stores, auth }) => {
    const user = await requireUser(stores, username)
    const had = await auth.resetMfa(user.id, { by: 'operator' })
    input.io.stdout.write(
      had
        ? `Two-factor authentication of '${printable(user.username)}' was reset; ` +
            'their next login needs the password only.\n'
        : `User '${printable(user.username)}' had no two-factor authentication; ` +
            'their trusted devices were revoked.\n',
    )
  })
}

/** `tessera users list|show|deactivate|activate|reset-mfa`. */
export const usersCommand: Command = {
  name: 'users',
  summary: 'List, show, deactivate or activate users; reset their second factor',
  usage:
    'tessera users list [--json] | show <username> [--json] | deactivate <username> | activate <username> | reset-mfa <username>',
  help: `Subcommands:
  list                    every user: id, username, email, flags, last login
  show <username>         one user's fields, number of active sessions, whether MFA is on
  deactivate <username>   refuse the user's logins and revoke all their sessions and tokens
  activate <username>     allow the user to log in again
  reset-mfa <username>    remove the user's authenticator, recovery codes and trusted devices
                          (a lost phone): the next login needs the password only

Options:
  --json       print JSON instead of a table (list, show)
  -h, --help   show this help
`,
  options: { json: { type: 'boolean' } },
  positionals: {
    min: 1,
    max: 2,
    names: 'subcommand (list, show, deactivate, activate or reset-mfa)',
  },
  async run(input) {
    const [subcommand, username] = input.positionals
    if (!SUBCOMMANDS.includes(subcommand as Subcommand)) {
      throw new UsageError(`unknown subcommand '${subcommand}'`, 'users')
    }
    const json = input.values.json === true
    if (subcommand === 'list') {
      if (username !== undefined) throw new UsageError(`unexpected argument '${username}'`, 'users')
      await withContext(openStoreContext(input.io), ({ stores }) =>
        list(stores, input.io.stdout, json),
      )
      return 0
    }
    if (username === undefined)
      throw new UsageError(`missing <username> for ${subcommand}`, 'users')
    if (json && subcommand !== 'show') {
      throw new UsageError(`--json applies to list and show, not ${subcommand}`, 'users')
    }
    if (subcommand === 'show') {
      await withContext(openStoreContext(input.io), ({ stores }) =>
        show(stores, input.io.stdout, username, json),
      )
      return 0
    }
    if (subcommand === 'reset-mfa') {
      await resetMfa(input, username)
      return 0
    }
    await setActive(input, username, subcommand === 'activate')
    return 0
  },
}
