/** The subset of a writable stream (`process.stdout`) the buffer uses. */
export interface LineOutput {
  write(chunk: string): boolean
  on(event: 'error', listener: (error: Error) => void): unknown
}

/** Options of {@link LineBuffer}. */
export interface LineBufferOptions {
  /** Where batches go. Default `process.stdout`. */
  readonly output?: LineOutput
  /** Characters gathered before a batch is written. Default 8192. */
  readonly batchChars?: number
  /** Longest a line waits, in milliseconds, so a quiet server's lines show promptly. Default 250. */
  readonly maxDelayMs?: number
}

/**
 * The server's log destination (pino's `write(line)`): lines are gathered and written in
 * batches of about 8 KiB, and at least every 250 ms, so a busy server makes one write per
 * dozens of lines instead of one per line. What is left is written when the process exits (a
 * crash included) and by {@link flush} at shutdown.
 *
 * Written by hand, and measured (`npm run bench:instructions`, instructions per authenticated
 * GET with its access line): pino's own buffered destination (sonic-boom with `minLength`)
 * re-measures its whole pending buffer (`Buffer.byteLength`) and concatenates onto it on every
 * write, which cost about 15,000 instructions a line more than this array joined per batch.
 */
export class LineBuffer {
  readonly #output: LineOutput
  readonly #batchChars: number
  readonly #maxDelayMs: number
  #lines: string[] = []
  #chars = 0
  #timer: NodeJS.Timeout | undefined
  #broken = false

  constructor(options: LineBufferOptions = {}) {
    this.#output = options.output ?? process.stdout
    this.#batchChars = options.batchChars ?? 8192
    this.#maxDelayMs = options.maxDelayMs ?? 250
    // A closed stdout (EPIPE: the reader went away) must not crash the server: stop logging.
    this.#output.on('error', () => {
      this.#broken = true
      this.#lines = []
      this.#chars = 0
    })
    process.once('exit', () => this.flush())
  }

  write(line: string): void {
    if (this.#broken) return
    this.#lines.push(line)
    this.#chars += line.length
    if (this.#chars >= this.#batchChars) this.flush()
    else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => this.flush(), this.#maxDelayMs)
      this.#timer.unref()
    }
  }

  /**
   * Writes every gathered line now. `process.stdout` writes files and pipes synchronously on
   * Linux, so on return (and at exit) the lines have reached them. `done` is pino's `flush`
   * callback.
   */
  flush(done?: (error?: Error) => void): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer)
      this.#timer = undefined
    }
    if (this.#lines.length > 0 && !this.#broken) {
      const batch = this.#lines.length === 1 ? (this.#lines[0] as string) : this.#lines.join('')
      this.#lines = []
      this.#chars = 0
      this.#output.write(batch)
    }
    done?.()
  }
}
