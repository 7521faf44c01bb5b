import { type AuditRecord, parseDuration, type Stores } from '@tessera/core'
import { findUser, nowSeconds, openStoreContext, withContext } from '../cli-context.js'
import { UsageError } from '../cli-errors.js'
import type { Command, CommandInput } from '../command.js'
import { formatTable, formatTime, printable } from '../format-table.js'

const DEFAULT_LIMIT = 50
const MAX_LIMIT = 10_000
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/

/**
 * A time option: an ISO 8601 date or date-time (`2026-12-07`, `2026-12-07T10:00:00Z`), a
 * duration ago (`30m`, `24h`, `7d`: the one duration syntax of Tessera), or epoch seconds.
 */
export function parseWhen(value: string, option: string, now: number): number {
  const text = value.trim()
  if (/^[0-9]{9,12}$/.test(text)) return Number(text)
  if (ISO.test(text)) {
    const parsed = Date.parse(text)
    if (!Number.isNaN(parsed)) return parsed / 1000
  }
  if (/^[0-9]+[wdhms]/.test(text)) {
    try {
      return now - parseDuration(text, option)
    } catch {
      // Falls through to the message below, which shows every accepted form.
    }
  }
  throw new UsageError(
    `${option} must be an ISO 8601 date or time (2026-12-07, 2026-12-07T10:00:00Z), ` +
      `a duration ago (30m, 24h, 7d) or epoch seconds; got "${printable(text.slice(0, 40))}"`,
    'audit',
  )
}

function parseLimit(value: string | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT
  if (!/^[0-9]{1,6}$/.test(value) || Number(value) < 1 || Number(value) > MAX_LIMIT) {
    throw new UsageError(
      `--limit must be a whole number from 1 to ${MAX_LIMIT}; got "${printable(value.slice(0, 20))}"`,
      'audit',
    )
  }
  return Number(value)
}

/** The user id of `--user`: a username, or an id when no user has that name (deleted users). */
async function userIdOf(stores: Stores, value: string): Promise<string> {
  const user = await findUser(stores, value)
  if (user !== undefined) return user.id
  if (/^[1-9][0-9]{0,18}$/.test(value)) return value
  throw new UsageError(
    `--user: no user is named '${printable(value)}' (give a username, or the id of a deleted user)`,
    'audit',
  )
}

function eventJson(event: AuditRecord): Record<string, unknown> {
  return {
    id: event.id,
    type: event.type,
    at: formatTime(event.at),
    user_id: event.userId,
    ip: event.ip,
    data: event.data,
  }
}

async function run(input: CommandInput): Promise<number> {
  const { values, io } = input
  const now = nowSeconds()
  const since =
    values.since === undefined ? undefined : parseWhen(String(values.since), '--since', now)
  const until =
    values.until === undefined ? undefined : parseWhen(String(values.until), '--until', now)
  const limit = parseLimit(values.limit as string | undefined)
  const types =
    values.type === undefined
      ? undefined
      : String(values.type)
          .split(',')
          .map((type) => type.trim())
          .filter((type) => type !== '')
  await withContext(openStoreContext(io), async ({ stores }) => {
    const userId =
      values.user === undefined ? undefined : await userIdOf(stores, String(values.user))
    const page = await stores.audit.queryEvents({
      ...(userId === undefined ? {} : { userId }),
      ...(types === undefined || types.length === 0 ? {} : { types }),
      ...(since === undefined ? {} : { since }),
      ...(until === undefined ? {} : { until }),
      offset: 0,
      limit,
    })
    const out = io.stdout
    if (values.json === true) {
      out.write(`${JSON.stringify(page.items.map(eventJson), null, 2)}\n`)
      return
    }
    if (page.items.length === 0) {
      out.write('No audit events match.\n')
      return
    }
    const rows = page.items.map((event) => [
      formatTime(event.at),
      event.type,
      event.userId ?? '-',
      event.ip ?? '-',
      printable(JSON.stringify(event.data)),
    ])
    out.write(`${formatTable([['TIME', 'TYPE', 'USER', 'IP', 'DATA'], ...rows])}\n`)
    if (page.count > page.items.length) {
      out.write(`(${page.items.length} newest of ${page.count}; raise --limit to see more)\n`)
    }
  })
  return 0
}

/** `tessera audit`: read the audit log. */
export const auditCommand: Command = {
  name: 'audit',
  summary: 'Show the audit log, newest first, filtered by user, type and time',
  usage:
    'tessera audit [--user USERNAME] [--type TYPE[,TYPE...]] [--since WHEN] [--until WHEN] [--limit N] [--json]',
  help: `Prints audit events newest first: logins, logouts, password and MFA changes, admin changes
(with the acting staff member's id, or via: cli), mail. Nothing in it is a password, a token or
a secret.

Options:
  --user USERNAME   events about this user (the id of a deleted user works too)
  --type TYPE       only these event types, comma-separated (login_failed,logout_all)
  --since WHEN      from this time on (inclusive)
  --until WHEN      before this time (exclusive)
  --limit N         at most N events (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT})
  --json            print JSON (one array) instead of a table
  -h, --help        show this help

WHEN is an ISO 8601 date or time (2026-12-07, 2026-12-07T10:00:00Z), a duration ago
(30m, 24h, 7d), or epoch seconds.

Examples:
  tessera audit --since 24h --type login_failed
  tessera audit --user alice --limit 20 --json
`,
  options: {
    user: { type: 'string' },
    type: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    limit: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: { min: 0, max: 0, names: 'nothing' },
  run,
}
