/** Bad command-line arguments: exit status 2, one line, then the command's usage. */
export class UsageError extends Error {
  /** The command whose usage to show; undefined for the top-level usage. */
  readonly command: string | undefined

  constructor(message: string, command?: string) {
    super(message)
    this.name = 'UsageError'
    this.command = command
  }
}

/** A command could not do its job (user missing, weak password...): exit status 1, one line. */
export class CommandError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CommandError'
  }
}

/** The person at the terminal cancelled (Ctrl+C, Ctrl+D at a prompt). */
export class CancelledError extends CommandError {
  constructor() {
    super('operation cancelled')
    this.name = 'CancelledError'
  }
}
