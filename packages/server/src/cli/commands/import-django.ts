import { randomBytes } from 'node:crypto'
import type { ImportReport } from '@tessera/core'
import { openDjangoSource } from '../../django/django-source.js'
import { readDjango, USER_COLUMNS, type UserColumn } from '../../django/read-django.js'
import { nowSeconds, openStoreContext, withContext } from '../cli-context.js'
import { CommandError, UsageError } from '../cli-errors.js'
import type { Command } from '../command.js'

/** `tessera import-django`: users, groups, permissions and sessions from a Django database. */
export const importDjangoCommand: Command = {
  name: 'import-django',
  summary: 'Import users, groups, permissions and sessions from a Django database',
  usage: 'tessera import-django --from <sqlite file | postgres URL> [options]',
  help: `Reads a Django + simplejwt database (never writes to it) and imports into Tessera's, in
one transaction: users with their ids, password hashes (every Django hasher verifies and is
upgraded to argon2id at the user's next login), flags, dates, names and emails; groups and
permissions (app_label.codename) and who has them; simplejwt's outstanding refresh tokens as
sessions, so their holders refresh here without logging in again; blacklisted ones are never
imported, and a session imported earlier whose token was blacklisted since is ended.

Run it again at any time: it updates what changed and says so (users created, updated,
unchanged; sessions added or ended). Rows that cannot be imported (a username another user has
here, text a database cannot hold) are listed with their ids and left out with what hangs on
them; the rest is imported, and the exit status is 1.

Options:
  --from <source>           the Django database: a SQLite file, or postgres://user@host/db
  --dry-run                 read and compare, write nothing; print what would change
  --user-table <name>       a custom user model's table (default auth_user); its link tables
                            are <name>_groups and <name>_user_permissions
  --user-link-column <name> the user's column in those link tables (default user_id)
  --map <field=column,...>  columns named otherwise in the user table, e.g. email=email_address
  -h, --help                show this help

Examples:
  tessera import-django --from ../mysite/db.sqlite3 --dry-run
  tessera import-django --from postgres://django@db.internal/mysite
`,
  options: {
    from: { type: 'string' },
    'dry-run': { type: 'boolean' },
    'user-table': { type: 'string' },
    'user-link-column': { type: 'string' },
    map: { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run({ values, io }) {
    const from = values.from
    if (typeof from !== 'string' || from === '') {
      throw new UsageError(
        '--from is required: a SQLite file or a postgres:// URL',
        'import-django',
      )
    }
    const dryRun = values['dry-run'] === true
    const userTable = {
      table: typeof values['user-table'] === 'string' ? values['user-table'] : 'auth_user',
      linkColumn:
        typeof values['user-link-column'] === 'string' ? values['user-link-column'] : 'user_id',
      columns: parseMap(typeof values.map === 'string' ? values.map : ''),
    }
    const tty = io.stderr.isTTY === true
    const source = await openDjangoSource(from).catch((error: unknown) => {
      throw new UsageError(
        `cannot open ${describe(from)}: ${(error as Error).message}`,
        'import-django',
      )
    })
    try {
      let step = 0
      const snapshot = await readDjango(source, userTable, (name) => {
        step += 1
        if (tty) io.stderr.write(`\r[${step}/5] reading ${name}...\x1b[K`)
      }).catch((error: unknown) => {
        if (tty) io.stderr.write('\r\x1b[K')
        throw new CommandError(
          `cannot read the Django tables of ${source.description}: ${(error as Error).message} ` +
            '(a custom user model? --user-table, --user-link-column and --map name its table and columns)',
        )
      })
      if (tty) io.stderr.write(`\r[5/5] writing in one transaction...\x1b[K`)
      const report = await withContext(openStoreContext(io), ({ stores }) =>
        stores.imports.importSnapshot(snapshot, {
          dryRun,
          now: nowSeconds(),
          newSessionId: () => randomBytes(16).toString('hex'),
        }),
      )
      if (tty) io.stderr.write('\r\x1b[K')
      io.stdout.write(summary(source.description, report, dryRun))
      return report.problems.length === 0 ? 0 : 1
    } finally {
      await source.close()
    }
  },
}

function parseMap(text: string): Partial<Record<UserColumn, string>> {
  const columns: Partial<Record<UserColumn, string>> = {}
  for (const pair of text.split(',').filter((item) => item.trim() !== '')) {
    const [field = '', column = ''] = pair.split('=').map((part) => part.trim())
    if (!(USER_COLUMNS as readonly string[]).includes(field) || column === '') {
      throw new UsageError(
        `--map takes field=column pairs with fields among ${USER_COLUMNS.join(', ')}; got "${pair}"`,
        'import-django',
      )
    }
    columns[field as UserColumn] = column
  }
  return columns
}

function describe(from: string): string {
  try {
    const url = new URL(from)
    url.password = ''
    return url.protocol.startsWith('postgres') ? url.toString() : from
  } catch {
    return from
  }
}

function summary(source: string, report: ImportReport, dryRun: boolean): string {
  const { users, sessions, problems } = report
  const lines = [
    `${dryRun ? 'Would import' : 'Imported'} from ${source}${dryRun ? ' (dry run: nothing written)' : ''}:`,
    `  users:       ${users.created.length} created, ${users.updated.length} updated, ${users.unchanged} unchanged`,
    `  permissions: ${report.permissions}, groups: ${report.groups}; users whose groups or permissions changed: ${report.linksChanged}`,
    `  sessions:    ${sessions.created} created from outstanding refresh tokens, ${sessions.revoked} ended (blacklisted since), ${sessions.unchanged} unchanged`,
  ]
  if (problems.length === 0) lines.push('  left out:    nothing')
  else {
    lines.push(
      `  left out:    ${problems.length} rows (the rest is ${dryRun ? 'importable' : 'imported'}):`,
    )
    for (const problem of problems)
      lines.push(`    ${problem.table} ${problem.id}: ${problem.reason}`)
  }
  return `${lines.join('\n')}\n`
}
