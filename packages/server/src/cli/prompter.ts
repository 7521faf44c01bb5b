import { createInterface, type Interface } from 'node:readline'
import { Writable } from 'node:stream'
import { CancelledError, CommandError } from './cli-errors.js'
import type { CliInput, CliIo, CliOutput } from './cli-io.js'

/** Forwards readline's echo to the terminal, except while a secret is typed. */
class MutableOutput extends Writable {
  muted = false
  readonly #target: CliOutput

  constructor(target: CliOutput) {
    super()
    this.#target = target
  }

  /** Readline lays lines out to the terminal's width. */
  get columns(): number {
    return (this.#target as { columns?: number }).columns ?? 80
  }

  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    if (!this.muted) this.#target.write(chunk.toString())
    callback()
  }
}

/**
 * Asks questions on the terminal: one readline interface (no history, so a password never
 * comes back with the up arrow), whose echo is muted while a password is typed. Prompts go to
 * stderr, so stdout stays clean for a command's output. When stdin is not a terminal (a pipe, a
 * script), answers are read line by line from it.
 */
export class Prompter {
  readonly #input: CliInput
  readonly #output: CliOutput
  #terminal: { readline: Interface; output: MutableOutput } | undefined
  #lines: { readline: Interface; iterator: AsyncIterator<string> } | undefined

  constructor(io: CliIo) {
    this.#input = io.stdin
    this.#output = io.stderr
  }

  /** True when answers come from a person at a terminal. */
  get interactive(): boolean {
    return this.#input.isTTY === true && typeof this.#input.setRawMode === 'function'
  }

  /** Asks `question`; resolves to the answer without its line break. */
  ask(question: string): Promise<string> {
    return this.interactive ? this.#askTerminal(question, false) : this.#nextLine(question)
  }

  /** Asks for a secret: nothing is echoed while it is typed. */
  askHidden(question: string): Promise<string> {
    return this.interactive ? this.#askTerminal(question, true) : this.#nextLine(question)
  }

  /** Asks a yes/no question; only `y`/`yes` (any case) is yes. */
  async confirm(question: string): Promise<boolean> {
    const answer = (await this.ask(question)).trim().toLowerCase()
    return answer === 'y' || answer === 'yes'
  }

  /** Releases stdin so that the process can exit. */
  close(): void {
    this.#terminal?.readline.close()
    this.#terminal = undefined
    this.#lines?.readline.close()
    this.#lines = undefined
  }

  #askTerminal(question: string, hidden: boolean): Promise<string> {
    if (this.#terminal === undefined) {
      const output = new MutableOutput(this.#output)
      const readline = createInterface({
        input: this.#input,
        output,
        terminal: true,
        historySize: 0,
      })
      this.#terminal = { readline, output }
    }
    const { readline, output } = this.#terminal
    return new Promise<string>((resolve, reject) => {
      const cancel = () => {
        output.muted = false
        this.#output.write('\n')
        this.#terminal = undefined
        readline.close()
        reject(new CancelledError())
      }
      readline.once('SIGINT', cancel)
      readline.once('close', cancel)
      output.muted = false
      if (hidden) {
        this.#output.write(question)
        output.muted = true
      }
      readline.question(hidden ? '' : question, (answer) => {
        readline.removeListener('SIGINT', cancel)
        readline.removeListener('close', cancel)
        if (hidden) this.#output.write('\n')
        output.muted = false
        resolve(answer)
      })
    })
  }

  async #nextLine(question: string): Promise<string> {
    this.#output.write(question)
    if (this.#lines === undefined) {
      const readline = createInterface({ input: this.#input, terminal: false, crlfDelay: Infinity })
      this.#lines = { readline, iterator: readline[Symbol.asyncIterator]() }
    }
    const next = await this.#lines.iterator.next()
    if (next.done === true) {
      this.#output.write('\n')
      throw new CommandError('stdin ended before an answer was given')
    }
    return next.value
  }
}
