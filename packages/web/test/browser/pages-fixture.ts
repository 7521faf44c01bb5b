import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync } from 'node:fs'
import { mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import * as OTPAuth from 'otpauth'
import { type Browser, chromium, type Page } from 'playwright-core'
import { TestSmtpServer } from '../../../server/test/mail/smtp-fixture.js'

/** Chromium to drive (`.ci/run` installs Debian's and sets it); a test without it fails. */
export const CHROMIUM = process.env.TESSERA_TEST_CHROMIUM || '/usr/bin/chromium'

/** The built pages the server serves (`npm run build`). */
export const WEB_DIST = fileURLToPath(new URL('../../dist/', import.meta.url))

/**
 * Where the screenshots of every page go (committed, shown in the README) when
 * `UPDATE_SCREENSHOTS=1`; otherwise they are taken and dropped, so `npm test` leaves the
 * checkout as it found it.
 */
const SCREENSHOTS =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url))
    : undefined

const AXE = readFileSync(fileURLToPath(import.meta.resolve('axe-core/axe.min.js')), 'utf8')

/** The widths the pages are checked and pictured at. */
export const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 375, height: 740 } }

/** A free loopback port: the links of the mails name it, so it is chosen before the server listens. */
async function freePort(): Promise<number> {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as { port: number }
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

/** A Tessera server over a real socket, its mail going to a real SMTP server in the test. */
export interface PagesWorld {
  readonly server: TesseraServer
  readonly smtp: TestSmtpServer
  readonly origin: string
  readonly browser: Browser
  close(): Promise<void>
}

/**
 * `tessera serve`'s server (buildServer + listen) on SQLite in a temp dir, cookie mode, mail
 * over SMTP with activation on, the pages from `WEB_DIST`; and headless Chromium.
 */
export async function startWorld(
  options: {
    /** More settings (they win over these). */
    readonly env?: Readonly<Record<string, string>>
    /** The host name the browser uses: `localhost` for passkeys (their RP ID). */
    readonly host?: '127.0.0.1' | 'localhost'
  } = {},
): Promise<PagesWorld> {
  const smtp = new TestSmtpServer()
  await smtp.listen()
  const port = await freePort()
  const host = options.host ?? '127.0.0.1'
  const dataDir = await mkdtemp(join(tmpdir(), 'tessera-web-'))
  const config = loadServerConfig({
    env: {
      TESSERA_DATA_DIR: dataDir,
      TESSERA_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64url'),
      TESSERA_TOKEN_TRANSPORT: 'cookie',
      // Plain http on loopback: cookies without the Secure flag (development mode).
      TESSERA_COOKIE_SECURE: 'false',
      TESSERA_EMAIL_BACKEND: 'smtp',
      TESSERA_EMAIL_HOST: '127.0.0.1',
      TESSERA_EMAIL_PORT: String(smtp.port),
      TESSERA_EMAIL_TIMEOUT: '5s',
      TESSERA_DEFAULT_FROM_EMAIL: 'noreply@example.com',
      TESSERA_SEND_ACTIVATION_EMAIL: 'true',
      TESSERA_EMAIL_CHANGE_CONFIRMATION: 'true',
      TESSERA_PROFILE_FIELDS: '[{"name":"phone","type":"string","maxLength":20}]',
      TESSERA_DOMAIN: `${host}:${port}`,
      // Passkeys are bound to the page's origin (RP ID `localhost`, the default).
      TESSERA_WEBAUTHN_ORIGINS: `http://${host}:${port}`,
      TESSERA_PROTOCOL: 'http',
      // These tests log the same people in more often than they would in a minute.
      TESSERA_THROTTLE_LOGIN_USERNAME: '100/min',
      TESSERA_THROTTLE_LOGIN_IP: '100/min',
      TESSERA_THROTTLE_MAIL_IP: '100/hour',
      ...options.env,
    },
    configFile: false,
  })
  const server = await buildServer(config, { logger: false, webDir: WEB_DIST })
  await server.app.listen({ host: '127.0.0.1', port })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // The server listens on IPv4 loopback; `localhost` must not try ::1 first.
      '--host-resolver-rules=MAP localhost 127.0.0.1',
    ],
  })
  if (SCREENSHOTS !== undefined) mkdirSync(SCREENSHOTS, { recursive: true })
  return {
    server,
    smtp,
    origin: `http://${host}:${port}`,
    browser,
    async close() {
      await browser.close()
      await server.close()
      await smtp.close()
    },
  }
}

/**
 * A browser page that fails the test on any console error, CSP violation included (a page
 * needing `unsafe-inline` shows up here), and on any request leaving the server.
 */
export async function openPage(world: PagesWorld): Promise<{ page: Page; problems: string[] }> {
  const context = await world.browser.newContext({ viewport: WIDTHS.desktop })
  const page = await context.newPage()
  // A step that does not happen fails with its locator named, well inside the test's time.
  // Waits for conditions, never for time: generous, for a machine busy with other suites.
  page.setDefaultTimeout(30_000)
  const problems: string[] = []
  page.on('console', (message) => {
    // 4xx answers the pages expect (a wrong code, a refused portal) are logged by Chromium too.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text()))
      problems.push(message.text())
  })
  page.on('pageerror', (error) => problems.push(error.message))
  page.on('request', (request) => {
    if (!request.url().startsWith(world.origin) && !request.url().startsWith('data:'))
      problems.push(`request outside the server: ${request.url()}`)
  })
  return { page, problems }
}

/** The axe violations of each page checked, by page name (the report's figures). */
export const axeResults = new Map<string, { violations: number; passes: number }>()

/**
 * Checks the page as it is now: the axe rules (WCAG 2.1 A and AA), at desktop and phone width,
 * and pictures it at both widths (under docs/screenshots/ with `UPDATE_SCREENSHOTS=1`). Returns the violations.
 */
export async function checkPage(page: Page, name: string): Promise<string[]> {
  await page.locator('h1').first().waitFor()
  const found: string[] = []
  for (const [width, size] of Object.entries(WIDTHS)) {
    await page.setViewportSize(size)
    await page.evaluate(AXE)
    const result = (await page.evaluate(() =>
      (
        globalThis as unknown as {
          axe: { run(context: unknown, options: unknown): Promise<unknown> }
        }
      ).axe.run(document, {
        runOnly: {
          type: 'tag',
          values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'],
        },
      }),
    )) as { violations: { id: string; nodes: unknown[] }[]; passes: unknown[] }
    for (const violation of result.violations)
      found.push(`${name} (${width}): ${violation.id} x${violation.nodes.length}`)
    axeResults.set(`${name} (${width})`, {
      violations: result.violations.length,
      passes: result.passes.length,
    })
    const picture = await page.screenshot(
      SCREENSHOTS === undefined ? {} : { path: join(SCREENSHOTS, `${name}-${width}.png`) },
    )
    if (picture.length === 0) throw new Error(`an empty screenshot of ${name} (${width})`)
  }
  await page.setViewportSize(WIDTHS.desktop)
  return found
}

/** The TOTP code of `secret` for the step `steps` ahead of now (RFC 6238, 30 s steps). */
export function totpCode(secret: string, steps = 0): string {
  const totp = new OTPAuth.TOTP({
    secret: OTPAuth.Secret.fromBase32(secret),
    digits: 6,
    period: 30,
  })
  return totp.generate({ timestamp: Date.now() + steps * 30_000 })
}

/** The next message to `address` (those to other addresses before it are passed over). */
export async function mailTo(world: PagesWorld, address: string): Promise<string> {
  for (;;) {
    const mail = await world.smtp.next()
    if (mail.to.includes(address)) return mail.decoded
  }
}

/** The path and fragment of the first link to this server in a mail. */
export function mailLink(decoded: string, origin: string): string {
  const found = new RegExp(`${origin.replace(/[.]/g, '\\.')}(/[^\\s"<>]+)`).exec(decoded)
  if (found === null) throw new Error('no link to the server in the mail')
  return `${origin}${found[1]}`
}
