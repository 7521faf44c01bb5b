import { parseArgs } from 'node:util'
import { TesseraError, ValidationError } from '@tessera/core'
import { packageInfo } from '../package-info.js'
import { CommandError, UsageError } from './cli-errors.js'
import { type CliIo, processIo } from './cli-io.js'
import type { Command } from './command.js'
import { commands } from './commands/index.js'

const PROGRAM = 'tessera'

function topUsage(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  const list = commands
    .map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`)
    .join('\n')
  return (
    `Usage: ${PROGRAM} <command> [options]\n\n` +
    `Commands:\n${list}\n\n` +
    `Run '${PROGRAM} <command> --help' for a command's options. Settings come from\n` +
    'TESSERA_* environment variables and tessera.config.json (see the README).\n'
  )
}

function commandHelp(command: Command): string {
  return `Usage: ${command.usage}\n\n${command.summary}\n\n${command.help.trimEnd()}\n`
}

function findCommand(name: string): Command | undefined {
  return commands.find((command) => command.name === name)
}

/** The arguments before a `--`: after it, every argument is positional. */
function optionArgs(args: readonly string[]): readonly string[] {
  const end = args.indexOf('--')
  return end === -1 ? args : args.slice(0, end)
}

// parseArgs' messages are long; keep one line naming the argument.
function usageMessage(error: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1]
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      if (quoted === undefined || quoted.startsWith('--'))
        return `unknown option ${quoted ?? ''}`.trim()
      // '-AbC...' is reported as '-A': more likely a value (a kid) than options. The whole
      // argument is not echoed: it could be a token pasted with a stray '-'.
      return `unknown option ${quoted}; an argument that starts with '-' goes after '--'`
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return error.message.split('\n')[0] ?? 'invalid option value'
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted ?? ''}`.trim()
    default:
      return error.message.split('\n')[0] ?? 'invalid arguments'
  }
}

async function runCommand(command: Command, args: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: [...args],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
  } catch (error) {
    throw new UsageError(usageMessage(error as Error), command.name)
  }
  const { min, max, names } = command.positionals
  if (parsed.positionals.length < min) {
    throw new UsageError(`missing ${names}`, command.name)
  }
  if (parsed.positionals.length > max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[max]}'`, command.name)
  }
  const values = parsed.values as Record<string, string | boolean | undefined>
  return (await command.run({ values, positionals: parsed.positionals, io })) ?? 0
}

function describeFailure(error: unknown): string {
  if (error instanceof ValidationError) {
    const fields = Object.entries(error.fields).map(
      ([field, messages]) => `${field}: ${messages.join(' ')}`,
    )
    return fields.length > 0 ? fields.join('; ') : error.message
  }
  if (error instanceof CommandError || error instanceof TesseraError) return error.message
  if (error instanceof Error) return `unexpected failure (${error.name}): ${error.message}`
  return 'unexpected failure'
}

/**
 * Runs the `tessera` CLI with `argv` (the arguments after the program name) and returns the exit
 * status: 0 on success, 1 when the command failed (one line, never a stack trace or a secret),
 * 2 for bad arguments (one line and the usage), or a status a command documents for scripts
 * (`token decode`: 3, 4, 5). `--help` works on every command.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2))
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv
  try {
    if (name === undefined) throw new UsageError('missing command')
    if (name === '--help' || name === '-h' || name === 'help') {
      const topic = name === 'help' && rest[0] !== undefined ? findCommand(rest[0]) : undefined
      io.stdout.write(topic === undefined ? topUsage() : commandHelp(topic))
      return 0
    }
    if (name === '--version' || name === '-V') {
      io.stdout.write(`${packageInfo().version}\n`)
      return 0
    }
    const command = findCommand(name)
    if (command === undefined) {
      throw new UsageError(
        name.startsWith('-') ? `unknown option ${name}` : `unknown command '${name}'`,
      )
    }
    // --help wins over everything else on the line, even arguments that would be refused.
    const options = optionArgs(rest)
    if (options.includes('--help') || options.includes('-h')) {
      io.stdout.write(commandHelp(command))
      return 0
    }
    return await runCommand(command, rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      const command = error.command === undefined ? undefined : findCommand(error.command)
      const where = command === undefined ? PROGRAM : `${PROGRAM} ${command.name}`
      io.stderr.write(`${where}: error: ${error.message}\n`)
      io.stderr.write(
        command === undefined
          ? `Usage: ${PROGRAM} <command> [options]\nRun '${PROGRAM} --help' for the commands.\n`
          : `Usage: ${command.usage}\nRun '${PROGRAM} ${command.name} --help' for more.\n`,
      )
      return 2
    }
    io.stderr.write(`${PROGRAM}: error: ${describeFailure(error)}\n`)
    return error instanceof CommandError ? error.status : 1
  }
}
