import type { ParseArgsConfig } from 'node:util'
import type { CliIo } from './cli-io.js'

/** The option table of one command, as `node:util` `parseArgs` takes it. */
export type CommandOptions = NonNullable<ParseArgsConfig['options']>

/** The parsed arguments a command runs with. */
export interface CommandInput {
  /** Option values by long name (`--no-input` is `values['no-input']`). */
  readonly values: Readonly<Record<string, string | boolean | undefined>>
  /** Positional arguments after the command name. */
  readonly positionals: readonly string[]
  readonly io: CliIo
}

/** One `tessera` command. */
export interface Command {
  /** The word after `tessera`. */
  readonly name: string
  /** One line for the command list. */
  readonly summary: string
  /** The synopsis line(s) after `Usage: `, e.g. `tessera migrate`. */
  readonly usage: string
  /** The rest of `--help`: what it does, its options, examples. */
  readonly help: string
  /** Its options (`--help` is added to every command). */
  readonly options: CommandOptions
  /** Fewest and most positional arguments. */
  readonly positionals: { readonly min: number; readonly max: number; readonly names: string }
  /** Runs the command; resolves to the exit status (0 when nothing is returned). */
  run(input: CommandInput): Promise<number | undefined>
}
