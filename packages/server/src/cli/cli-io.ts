/** Something text can be written to (process.stdout, a test buffer). */
export interface CliOutput {
  write(text: string): unknown
  readonly isTTY?: boolean
}

/** The input the CLI reads prompts from: process.stdin, or a test stream. */
export type CliInput = NodeJS.ReadableStream & {
  readonly isTTY?: boolean
  setRawMode?(mode: boolean): unknown
}

/** What the CLI talks to; `process`'s streams, environment and directory by default. */
export interface CliIo {
  readonly stdin: CliInput
  readonly stdout: CliOutput
  readonly stderr: CliOutput
  readonly env: Readonly<Record<string, string | undefined>>
  readonly cwd: string
}

/** The process's own streams, environment and working directory. */
export function processIo(): CliIo {
  return {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
  }
}
