import { randomBytes } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { MailMessage, MailTransport } from '@tessera/core/mail'
import nodemailer from 'nodemailer'
import type { ServerSettings } from '../settings/server-settings.js'

/** Where the console backend writes: stdout, or a stream of the caller (tests). */
export interface MailOutput {
  write(text: string): unknown
}

/**
 * A message as the console and file backends show it: its headers, then the plain text, then the
 * HTML, unencoded (Django's console backend prints the MIME message, whose quoted-printable
 * lines break links; these stay clickable).
 */
export function formatMailForDisplay(message: MailMessage, date: Date): string {
  const lines = [
    `From: ${message.from}`,
    `To: ${message.to}`,
    `Subject: ${message.subject}`,
    `Date: ${date.toUTCString()}`,
    '',
    message.text.trimEnd(),
  ]
  if (message.html !== null) lines.push('', '-- HTML --', message.html.trimEnd())
  return `${lines.join('\n')}\n${'-'.repeat(79)}\n`
}

/** Django's SMTP backend, with its settings' names, over nodemailer (one pooled connection). */
export function createSmtpTransport(settings: ServerSettings): MailTransport {
  const timeout = settings.EMAIL_TIMEOUT === null ? {} : timeoutsOf(settings.EMAIL_TIMEOUT)
  const transporter = nodemailer.createTransport({
    host: settings.EMAIL_HOST,
    port: settings.EMAIL_PORT,
    secure: settings.EMAIL_USE_SSL,
    requireTLS: settings.EMAIL_USE_TLS,
    ...(settings.EMAIL_HOST_USER === undefined
      ? {}
      : { auth: { user: settings.EMAIL_HOST_USER, pass: settings.EMAIL_HOST_PASSWORD ?? '' } }),
    ...timeout,
    pool: true,
    maxConnections: 1,
    // nodemailer logs nothing of its own: the outbox says what happened, without the bodies.
    logger: false,
  })
  return {
    async send(message) {
      await transporter.sendMail({
        from: message.from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        ...(message.html === null ? {} : { html: message.html }),
      })
    },
    close() {
      transporter.close()
    },
  }
}

function timeoutsOf(seconds: number) {
  const ms = seconds * 1000
  return { connectionTimeout: ms, greetingTimeout: ms, socketTimeout: ms }
}

/** Django's console backend: every message printed, for development (the links are there). */
export function createConsoleTransport(output: MailOutput = process.stdout): MailTransport {
  return {
    async send(message) {
      output.write(formatMailForDisplay(message, new Date()))
    },
  }
}

/** Django's file backend: one file per message in `directory` (created 0700). */
export function createFileTransport(directory: string): MailTransport {
  return {
    async send(message) {
      mkdirSync(directory, { recursive: true, mode: 0o700 })
      const now = new Date()
      const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
      const name = `${stamp}-${randomBytes(6).toString('hex')}.log`
      // 0600: the messages hold live reset links.
      writeFileSync(join(directory, name), formatMailForDisplay(message, now), { mode: 0o600 })
    },
  }
}

/** The transport `EMAIL_BACKEND` names. */
export function createMailTransport(
  settings: ServerSettings,
  options: { readonly consoleOutput?: MailOutput } = {},
): MailTransport {
  switch (settings.EMAIL_BACKEND) {
    case 'smtp':
      return createSmtpTransport(settings)
    case 'file':
      return createFileTransport(settings.EMAIL_FILE_PATH ?? join(settings.DATA_DIR, 'mail'))
    default:
      return createConsoleTransport(options.consoleOutput)
  }
}
