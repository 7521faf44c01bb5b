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

/**
 * A command could not do its job (user missing, weak password...): one line, exit status 1
 * unless the command documents another (`token decode`: 3 for a token that is not a JWT).
 */
export class CommandError extends Error {
  /** The exit status; 1 by default. */
  readonly status: number

  constructor(message: string, status = 1) {
    super(message)
    this.name = 'CommandError'
    this.status = status
  }
}

/** The person at the terminal cancelled (Ctrl+C, Ctrl+D at a prompt). */
export class CancelledError extends CommandError {
  constructor() {
    super('operation cancelled')
    this.name = 'CancelledError'
  }
}
