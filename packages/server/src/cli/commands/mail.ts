import { emailProblem, type OutboxMessage, type OutboxStatus, type Stores } from '@tessera/core'
import { describeMailError, MailTemplates } from '@tessera/core/mail'
import { createMailTransport } from '../../mail/mail-transports.js'
import type { ServerSettings } from '../../settings/server-settings.js'
import { nowSeconds, openStoreContext, withContext } from '../cli-context.js'
import { CommandError, UsageError } from '../cli-errors.js'
import type { CliOutput } from '../cli-io.js'
import type { Command, CommandInput } from '../command.js'
import { formatTable, formatTime, printable } from '../format-table.js'

const STATUSES: readonly OutboxStatus[] = ['pending', 'sent', 'failed']

/** Where `EMAIL_BACKEND` sends, for messages (never the password). */
function backendName(settings: ServerSettings): string {
  if (settings.EMAIL_BACKEND === 'smtp')
    return `smtp (${settings.EMAIL_HOST}:${settings.EMAIL_PORT})`
  if (settings.EMAIL_BACKEND === 'file') return 'file'
  return 'console'
}

/** `tessera mail test <address>`: one message sent now, through the configured backend. */
async function sendTest(input: CommandInput, address: string): Promise<number> {
  if (emailProblem(address) !== undefined || address === '') {
    throw new UsageError(`'${printable(address)}' is not a valid email address`, 'mail')
  }
  return withContext(openStoreContext(input.io), async ({ settings }) => {
    const transport = createMailTransport(settings, { consoleOutput: input.io.stdout })
    const rendered = new MailTemplates({ directory: settings.EMAIL_TEMPLATES_DIR }).render('test', {
      site_name: settings.SITE_NAME,
      domain: settings.DOMAIN,
      protocol: settings.PROTOCOL,
    })
    try {
      // Straight to the backend, not through the outbox: the point is to see it work, or why not.
      await transport.send({ from: settings.DEFAULT_FROM_EMAIL, to: address, ...rendered })
    } catch (error) {
      throw new CommandError(
        `could not send through ${backendName(settings)}: ${describeMailError(error)}`,
      )
    } finally {
      await transport.close?.()
    }
    input.io.stdout.write(
      `Sent a test message to ${printable(address)} through ${backendName(settings)}.\n`,
    )
    return 0
  })
}

function messageJson(message: OutboxMessage): Record<string, unknown> {
  return {
    id: message.id,
    kind: message.kind,
    to: message.to,
    subject: message.subject,
    status: message.status,
    attempts: message.attempts,
    created_at: formatTime(message.createdAt),
    next_attempt_at: message.status === 'pending' ? formatTime(message.nextAttemptAt) : null,
    sent_at: message.sentAt === null ? null : formatTime(message.sentAt),
    last_error: message.lastError,
  }
}

async function listOutbox(
  stores: Stores,
  out: CliOutput,
  options: { status: OutboxStatus | undefined; limit: number; json: boolean },
): Promise<void> {
  const messages = await stores.mail.list({
    limit: options.limit,
    ...(options.status === undefined ? {} : { status: options.status }),
  })
  if (options.json) {
    out.write(`${JSON.stringify(messages.map(messageJson), null, 2)}\n`)
    return
  }
  if (messages.length === 0) {
    out.write('The outbox is empty.\n')
    return
  }
  const header = ['ID', 'KIND', 'TO', 'STATUS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR']
  const rows = messages.map((message) => [
    message.id,
    message.kind,
    printable(message.to),
    message.status,
    String(message.attempts),
    message.status === 'pending' ? formatTime(message.nextAttemptAt) : '-',
    printable(message.lastError ?? '') || '-',
  ])
  out.write(`${formatTable([header, ...rows])}\n`)
}

async function retryOutbox(
  stores: Stores,
  out: CliOutput,
  ids: readonly string[],
  failed: boolean,
) {
  const targets = [...ids]
  if (failed) {
    for (const message of await stores.mail.list({ limit: 10_000, status: 'failed' })) {
      targets.push(message.id)
    }
  }
  if (targets.length === 0) {
    out.write('No message to retry.\n')
    return 0
  }
  let queued = 0
  const refused: string[] = []
  for (const id of targets) {
    if (!/^[1-9][0-9]{0,18}$/.test(id))
      throw new UsageError(`'${printable(id)}' is not a message id`, 'mail')
    if (await stores.mail.retry(id, nowSeconds())) queued += 1
    else refused.push(id)
  }
  out.write(
    `Queued ${queued} message(s) again; running servers send them within seconds.\n` +
      (refused.length === 0 ? '' : `Not queued (unknown or already sent): ${refused.join(', ')}\n`),
  )
  return refused.length === 0 ? 0 : 1
}

function parseLimit(value: string | boolean | undefined): number {
  if (value === undefined) return 50
  const limit = Number(value)
  if (typeof value !== 'string' || !/^[1-9][0-9]{0,5}$/.test(value) || limit > 100_000) {
    throw new UsageError(
      `--limit must be a number from 1 to 100000; got '${String(value)}'`,
      'mail',
    )
  }
  return limit
}

/** `tessera mail test <address> | outbox [list|retry]`. */
export const mailCommand: Command = {
  name: 'mail',
  summary: 'Send a test message; list the mail outbox or retry its messages',
  usage:
    'tessera mail test <address> | outbox [list] [--status S] [--limit N] [--json] | outbox retry <id>... | outbox retry --failed',
  help: `Subcommands:
  test <address>          send a test message now through EMAIL_BACKEND, and say if it worked
  outbox [list]           the newest messages of the outbox: kind, recipient, status, attempts,
                          next attempt, last error (bodies are never shown; sent ones are erased)
  outbox retry <id>...    queue failed messages again (running servers send them within seconds)
  outbox retry --failed   queue every failed message again

Options:
  --status S   pending, sent or failed (outbox list)
  --limit N    at most N messages (outbox list; default 50)
  --failed     every failed message (outbox retry)
  --json       print JSON instead of a table (outbox list)
  -h, --help   show this help

Examples:
  tessera mail test me@example.com
  tessera mail outbox --status failed
  tessera mail outbox retry --failed
`,
  options: {
    status: { type: 'string' },
    limit: { type: 'string' },
    failed: { type: 'boolean' },
    json: { type: 'boolean' },
  },
  positionals: { min: 1, max: 100, names: 'subcommand (test or outbox)' },
  async run(input) {
    const [subcommand, ...rest] = input.positionals
    if (subcommand === 'test') {
      if (rest.length !== 1) throw new UsageError('mail test takes one <address>', 'mail')
      return sendTest(input, rest[0] as string)
    }
    if (subcommand !== 'outbox') throw new UsageError(`unknown subcommand '${subcommand}'`, 'mail')
    const [action = 'list', ...ids] = rest
    if (action === 'list') {
      if (ids.length > 0) throw new UsageError(`unexpected argument '${ids[0]}'`, 'mail')
      const status = input.values.status
      if (status !== undefined && !STATUSES.includes(status as OutboxStatus)) {
        throw new UsageError(
          `--status must be pending, sent or failed; got '${String(status)}'`,
          'mail',
        )
      }
      const limit = parseLimit(input.values.limit)
      await withContext(openStoreContext(input.io), ({ stores }) =>
        listOutbox(stores, input.io.stdout, {
          status: status as OutboxStatus | undefined,
          limit,
          json: input.values.json === true,
        }),
      )
      return 0
    }
    if (action !== 'retry') throw new UsageError(`unknown outbox action '${action}'`, 'mail')
    const failed = input.values.failed === true
    if (ids.length === 0 && !failed) {
      throw new UsageError('mail outbox retry needs message ids or --failed', 'mail')
    }
    return withContext(openStoreContext(input.io), ({ stores }) =>
      retryOutbox(stores, input.io.stdout, ids, failed),
    )
  },
}
