import type { AddressInfo } from 'node:net'
import { SMTPServer, type SMTPServerEnvelope } from 'smtp-server'

/** A message as the test SMTP server received it, its text bodies decoded. */
export interface ReceivedMail {
  readonly from: string
  readonly to: readonly string[]
  readonly raw: string
  /** The raw message with quoted-printable decoded: what a reader sees. */
  readonly decoded: string
}

/** Decodes quoted-printable (RFC 2045 6.7): soft line breaks, then `=XX` bytes. */
function decodeQuotedPrintable(text: string): string {
  const joined = text.replace(/=\r?\n/g, '')
  const bytes = joined.replace(/=([0-9A-F]{2})/g, (_, hex: string) =>
    String.fromCharCode(Number.parseInt(hex, 16)),
  )
  return Buffer.from(bytes, 'latin1').toString('utf8')
}

/**
 * A real SMTP server in the test process (the `smtp-server` package), on a loopback port:
 * `next()` resolves with the next message it accepts, so tests wait on the event they expect.
 */
export class TestSmtpServer {
  readonly received: ReceivedMail[] = []
  #server: SMTPServer | undefined
  #waiting: ((mail: ReceivedMail) => void)[] = []
  #held: (() => void)[] | undefined
  port = 0

  /**
   * From now on, receive each message but withhold the reply to its data (a slow or stuck
   * server: the sender waits for the 250) until {@link release}. `heldCount` counts them.
   */
  hold(): void {
    this.#held ??= []
  }

  /** Messages whose reply is being withheld. */
  get heldCount(): number {
    return this.#held?.length ?? 0
  }

  /** Sends the withheld replies, and replies at once again. */
  release(): void {
    const held = this.#held ?? []
    this.#held = undefined
    for (const reply of held) reply()
  }

  /** Listens on `port` (0: any free one). */
  async listen(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = []
        stream.on('data', (chunk: Buffer) => chunks.push(chunk))
        stream.on('end', () => {
          if (this.#held !== undefined) {
            this.#held.push(() => this.#accept(session, chunks, callback))
            return
          }
          this.#accept(session, chunks, callback)
        })
      },
    })
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    })
    this.#server = server
    this.port = (server.server.address() as AddressInfo).port
  }

  #accept(
    session: { envelope: SMTPServerEnvelope },
    chunks: readonly Buffer[],
    callback: () => void,
  ): void {
    const raw = Buffer.concat(chunks).toString('utf8')
    const mail: ReceivedMail = {
      from: session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address,
      to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
      raw,
      decoded: decodeQuotedPrintable(raw),
    }
    this.received.push(mail)
    const waiter = this.#waiting.shift()
    waiter?.(mail)
    callback()
  }

  /** The next message accepted (one already received and not yet taken counts). */
  next(): Promise<ReceivedMail> {
    const taken = this.#taken
    if (this.received.length > taken) {
      this.#taken += 1
      return Promise.resolve(this.received[taken] as ReceivedMail)
    }
    return new Promise((resolve) =>
      this.#waiting.push((mail) => {
        this.#taken += 1
        resolve(mail)
      }),
    )
  }

  #taken = 0

  async close(): Promise<void> {
    const server = this.#server
    this.#server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

/** The `{uid, token}` of the first frontend link in a mail. */
export function linkOf(mail: ReceivedMail): { uid: string; token: string } {
  // `.../#/activate/<uid>/<token>` (djoser's defaults) or `.../activate/#<uid>/<token>` (the pages').
  const match = /#(?:\/[a-z/]+\/)?([A-Za-z0-9_-]+)\/([A-Za-z0-9_.-]+)/.exec(mail.decoded)
  if (match === null) throw new Error('no link in the message')
  return { uid: match[1] as string, token: match[2] as string }
}
