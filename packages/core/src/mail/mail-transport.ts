/** One message to deliver: plain text, with an HTML alternative when the template has one. */
export interface MailMessage {
  readonly from: string
  readonly to: string
  readonly subject: string
  readonly text: string
  readonly html: string | null
}

/**
 * Delivers one message, or throws. A thrown error with an SMTP `responseCode` of 5xx is
 * permanent (the server refused the message: retrying cannot help); anything else is retried.
 * The server package implements it with nodemailer (`smtp`), the console and files.
 */
export interface MailTransport {
  send(message: MailMessage): Promise<void>
  /** Releases connections; called once when the sender stops. */
  close?(): Promise<void> | void
}
