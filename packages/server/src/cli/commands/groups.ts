import { CLI_ACTOR } from '@tessera/core/admin'
import { openAuthContext, openStoreContext, requireUser, withContext } from '../cli-context.js'
import { UsageError } from '../cli-errors.js'
import type { Command, CommandInput } from '../command.js'
import { formatTable, printable } from '../format-table.js'
import { allGroups, requireGroup, requirePermission } from './admin-lookups.js'

/** Each subcommand and the positionals it takes after itself. */
const SUBCOMMANDS = {
  list: [],
  create: ['<name>'],
  rename: ['<name>', '<new-name>'],
  delete: ['<name>'],
  'add-user': ['<group>', '<username>'],
  'remove-user': ['<group>', '<username>'],
  grant: ['<group>', '<app_label.codename>'],
  revoke: ['<group>', '<app_label.codename>'],
} as const
type Subcommand = keyof typeof SUBCOMMANDS

async function list(input: CommandInput, json: boolean): Promise<void> {
  const out = input.io.stdout
  await withContext(openStoreContext(input.io), async ({ stores }) => {
    const groups = await allGroups(stores)
    if (json) {
      const rows = groups.map((group) => ({
        id: group.id,
        name: group.name,
        permissions: group.permissions,
        member_count: group.memberCount,
      }))
      out.write(`${JSON.stringify(rows, null, 2)}\n`)
      return
    }
    if (groups.length === 0) {
      out.write("No groups. Create one with 'tessera groups create <name>'.\n")
      return
    }
    const rows = groups.map((group) => [
      group.id,
      printable(group.name),
      String(group.memberCount),
      group.permissions.map(printable).join(', ') || '-',
    ])
    out.write(`${formatTable([['ID', 'NAME', 'MEMBERS', 'PERMISSIONS'], ...rows])}\n`)
  })
}

async function change(input: CommandInput, subcommand: Subcommand, args: string[]) {
  const out = input.io.stdout
  const [first = '', second = ''] = args
  await withContext(openAuthContext(input.io), async ({ stores, auth }) => {
    const admin = auth.admin
    switch (subcommand) {
      case 'create': {
        const group = await admin.createGroup(CLI_ACTOR, { name: first })
        out.write(`Group '${printable(group.name)}' created (id ${group.id}).\n`)
        return
      }
      case 'rename': {
        const group = await requireGroup(stores, first)
        await admin.renameGroup(CLI_ACTOR, group.id, { name: second })
        out.write(`Group '${printable(first)}' is now '${printable(second.trim())}'.\n`)
        return
      }
      case 'delete': {
        const group = await requireGroup(stores, first)
        await admin.deleteGroup(CLI_ACTOR, group.id)
        out.write(
          `Group '${printable(group.name)}' deleted; its ${group.memberCount} member(s) lost ` +
            'the permissions it gave.\n',
        )
        return
      }
      case 'add-user':
      case 'remove-user': {
        const group = await requireGroup(stores, first)
        const user = await requireUser(stores, second)
        const member = subcommand === 'add-user'
        await admin.setMembership(CLI_ACTOR, user.id, group.id, member)
        out.write(
          member
            ? `User '${printable(user.username)}' is in group '${printable(group.name)}'.\n`
            : `User '${printable(user.username)}' is not in group '${printable(group.name)}'.\n`,
        )
        return
      }
      case 'grant':
      case 'revoke': {
        const group = await requireGroup(stores, first)
        const name = await requirePermission(stores, second)
        const granted = subcommand === 'grant'
        await admin.setPermission(CLI_ACTOR, { kind: 'group', id: group.id }, name, granted)
        out.write(
          granted
            ? `Group '${printable(group.name)}' has permission ${printable(name)}.\n`
            : `Group '${printable(group.name)}' no longer has permission ${printable(name)}.\n`,
        )
        return
      }
      case 'list':
        return
    }
  })
}

/** `tessera groups`: Django's auth groups from the command line. */
export const groupsCommand: Command = {
  name: 'groups',
  summary: 'List, create, rename and delete groups; manage their members and permissions',
  usage:
    'tessera groups list [--json] | create <name> | rename <name> <new-name> | delete <name>\n' +
    '       tessera groups add-user|remove-user <group> <username>\n' +
    '       tessera groups grant|revoke <group> <app_label.codename>',
  help: `Groups gather permissions: a user in a group holds every permission of the group, as in
Django. Groups are named by their exact name (quote names with spaces); users by username.
Every change is written to the audit log (see 'tessera audit').

Subcommands:
  list                               every group: id, name, member count, permissions
  create <name>                      a new group (names are unique)
  rename <name> <new-name>           give a group another name
  delete <name>                      delete a group; its members lose what it granted
  add-user <group> <username>        put a user in a group (nothing happens if already in)
  remove-user <group> <username>     take a user out of a group
  grant <group> <app_label.codename>   give the group a permission, e.g. auth.change_user
  revoke <group> <app_label.codename>  take a permission from the group

Options:
  --json       print JSON instead of a table (list)
  -h, --help   show this help

Examples:
  tessera groups create editors
  tessera groups grant editors auth.change_user
  tessera groups add-user editors alice
`,
  options: { json: { type: 'boolean' } },
  positionals: { min: 1, max: 3, names: 'subcommand (list, create, rename, delete, ...)' },
  async run(input) {
    const [subcommand = '', ...args] = input.positionals
    if (!Object.hasOwn(SUBCOMMANDS, subcommand)) {
      throw new UsageError(`unknown subcommand '${subcommand}'`, 'groups')
    }
    const wanted = SUBCOMMANDS[subcommand as Subcommand]
    if (args.length < wanted.length) {
      throw new UsageError(
        `missing ${wanted.slice(args.length).join(' ')} for ${subcommand}`,
        'groups',
      )
    }
    if (args.length > wanted.length) {
      throw new UsageError(`unexpected argument '${args[wanted.length]}'`, 'groups')
    }
    const json = input.values.json === true
    if (json && subcommand !== 'list') {
      throw new UsageError(`--json applies to list, not ${subcommand}`, 'groups')
    }
    if (subcommand === 'list') await list(input, json)
    else await change(input, subcommand as Subcommand, args)
    return 0
  },
}
