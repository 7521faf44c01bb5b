import type { PermissionRecord, Stores } from '@tessera/core'
import { CLI_ACTOR } from '@tessera/core/admin'
import { openAuthContext, openStoreContext, requireUser, withContext } from '../cli-context.js'
import { UsageError } from '../cli-errors.js'
import type { Command, CommandInput } from '../command.js'
import { formatTable, printable } from '../format-table.js'
import { checkPermissionName, requirePermission } from './admin-lookups.js'

const SUBCOMMANDS = {
  list: [],
  create: ['<app_label.codename>', '<name>'],
  grant: ['<username>', '<app_label.codename>'],
  revoke: ['<username>', '<app_label.codename>'],
} as const
type Subcommand = keyof typeof SUBCOMMANDS

const PAGE = 100

async function allPermissions(stores: Stores, search?: string): Promise<PermissionRecord[]> {
  const found: PermissionRecord[] = []
  for (let offset = 0; ; offset += PAGE) {
    const page = await stores.permissions.listPermissions({
      ...(search === undefined ? {} : { search }),
      offset,
      limit: PAGE,
    })
    found.push(...page.items)
    if (page.items.length < PAGE) return found
  }
}

async function list(input: CommandInput, json: boolean, search?: string): Promise<void> {
  const out = input.io.stdout
  await withContext(openStoreContext(input.io), async ({ stores }) => {
    const permissions = await allPermissions(stores, search)
    if (json) {
      const rows = permissions.map((permission) => ({
        id: permission.id,
        app_label: permission.appLabel,
        codename: permission.codename,
        name: permission.name,
      }))
      out.write(`${JSON.stringify(rows, null, 2)}\n`)
      return
    }
    if (permissions.length === 0) {
      out.write(
        search === undefined
          ? "No permissions. Create one with 'tessera permissions create <app_label.codename> <name>'.\n"
          : `No permission matches '${printable(search)}'.\n`,
      )
      return
    }
    const rows = permissions.map((permission) => [
      permission.id,
      printable(`${permission.appLabel}.${permission.codename}`),
      printable(permission.name),
    ])
    out.write(`${formatTable([['ID', 'PERMISSION', 'NAME'], ...rows])}\n`)
  })
}

async function change(input: CommandInput, subcommand: Subcommand, args: string[]) {
  const out = input.io.stdout
  const [first = '', second = ''] = args
  await withContext(openAuthContext(input.io), async ({ stores, auth }) => {
    if (subcommand === 'create') {
      const name = checkPermissionName(first)
      const dot = name.indexOf('.')
      const permission = await auth.admin.createPermission(CLI_ACTOR, {
        app_label: name.slice(0, dot),
        codename: name.slice(dot + 1),
        name: second,
      })
      out.write(
        `Permission ${printable(name)} created (id ${permission.id}): ${printable(permission.name)}.\n`,
      )
      return
    }
    const user = await requireUser(stores, first)
    const name = await requirePermission(stores, second)
    const granted = subcommand === 'grant'
    await auth.admin.setPermission(CLI_ACTOR, { kind: 'user', id: user.id }, name, granted)
    out.write(
      granted
        ? `User '${printable(user.username)}' has permission ${printable(name)}.\n`
        : `User '${printable(user.username)}' no longer holds ${printable(name)} directly` +
            ' (a group may still give it).\n',
    )
  })
}

/** `tessera permissions`: Django's permissions and the direct grants to users. */
export const permissionsCommand: Command = {
  name: 'permissions',
  summary: 'List and create permissions; grant them to users or revoke them',
  usage:
    'tessera permissions list [--search TEXT] [--json] | create <app_label.codename> <name>\n' +
    '       tessera permissions grant|revoke <username> <app_label.codename>',
  help: `Permissions are named app_label.codename, as in Django (auth.change_user). Staff members
holding auth.change_user may change users through the admin API; superusers hold every
permission. To give a permission to many users, grant it to a group ('tessera groups grant').
Every change is written to the audit log (see 'tessera audit').

Subcommands:
  list                                     every permission, by app label and codename
  create <app_label.codename> <name>       a new permission; <name> is the human-readable text
  grant <username> <app_label.codename>    give a user the permission directly
  revoke <username> <app_label.codename>   take the direct grant away (groups may still give it)

Options:
  --search TEXT   list only permissions whose app label, codename or name contains TEXT
  --json          print JSON instead of a table (list)
  -h, --help      show this help

Examples:
  tessera permissions create blog.publish_post "Can publish post"
  tessera permissions grant alice blog.publish_post
`,
  options: { json: { type: 'boolean' }, search: { type: 'string' } },
  positionals: { min: 1, max: 3, names: 'subcommand (list, create, grant or revoke)' },
  async run(input) {
    const [subcommand = '', ...args] = input.positionals
    if (!Object.hasOwn(SUBCOMMANDS, subcommand)) {
      throw new UsageError(`unknown subcommand '${subcommand}'`, 'permissions')
    }
    const wanted = SUBCOMMANDS[subcommand as Subcommand]
    if (args.length < wanted.length) {
      throw new UsageError(
        `missing ${wanted.slice(args.length).join(' ')} for ${subcommand}`,
        'permissions',
      )
    }
    if (args.length > wanted.length) {
      throw new UsageError(`unexpected argument '${args[wanted.length]}'`, 'permissions')
    }
    const json = input.values.json === true
    const search = input.values.search
    if (subcommand !== 'list' && (json || search !== undefined)) {
      throw new UsageError(`--json and --search apply to list, not ${subcommand}`, 'permissions')
    }
    if (subcommand === 'list') await list(input, json, search as string | undefined)
    else await change(input, subcommand as Subcommand, args)
    return 0
  },
}
