import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  axeResults,
  checkPage,
  mailLink,
  mailTo,
  openPage,
  type PagesWorld,
  startWorld,
  totpCode,
} from './pages-fixture.js'

// A newcomer's whole journey through the account pages in Chromium, against the server over a
// real socket and its mail through a real SMTP server: register, activate from the mail, log
// in, profile, enrol TOTP, log out, log in with a code, reset a forgotten password from the
// mail. Every page is checked with axe and pictured at desktop and phone width.

// One long journey in a real browser on a shared two-core machine.
vi.setConfig({ testTimeout: 180_000 })

let world: PagesWorld

beforeAll(async () => {
  // The server runs in this process: its clock is the test's to move (Date only; it keeps
  // running with real time between the moves).
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true })
  world = await startWorld()
})

afterAll(async () => {
  console.log(
    'axe (account pages):',
    [...axeResults].map(([page, r]) => `${page}: ${r.violations} violations`).join('; '),
  )
  await world?.close()
  vi.useRealTimers()
})

const PASSWORD = 'a long enough passphrase 1'
const MID_PASSWORD = 'a changed passphrase 15'
const NEW_PASSWORD = 'another long passphrase 2'

describe('account pages in Chromium', () => {
  it('register, activate from the mail, log in, profile, TOTP, log out, code login, reset from the mail', async () => {
    const { page, problems } = await openPage(world)
    const violations: string[] = []
    const url = (path: string) => `${world.origin}${path}`

    // Served with the pages' CSP and caching.
    const first = await page.goto(url('/account/register/'))
    expect(first?.headers()['content-security-policy']).toContain("script-src 'self'")
    expect(first?.headers()['content-security-policy']).not.toContain('unsafe-inline')
    expect(first?.headers()['cache-control']).toBe('no-cache')

    // Register.
    violations.push(...(await checkPage(page, 'account-register')))
    await page.getByLabel('Username', { exact: true }).fill('nina')
    await page.getByLabel('Email', { exact: true }).fill('nina@example.com')
    await page.getByLabel('First name', { exact: true }).fill('Nina')
    await page.getByLabel('Last name', { exact: true }).fill('Simone')
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByText('Check nina@example.com').waitFor()

    // Activate from the mail's link.
    const activation = await world.smtp.next()
    expect(activation.to).toEqual(['nina@example.com'])
    const activationLink = mailLink(activation.decoded, world.origin)
    expect(activationLink).toMatch(/\/account\/activate\/#[\w-]+\/[\w.-]+$/)
    await page.goto(activationLink)
    violations.push(...(await checkPage(page, 'account-activate')))
    await page.getByRole('button', { name: 'Activate my account' }).click()
    await page.getByText('Your account is active').waitFor()

    // Log in.
    await page.getByRole('link', { name: 'Log in' }).click()
    await page.waitForURL(url('/account/login/'))
    violations.push(...(await checkPage(page, 'account-login')))
    await page.getByLabel('Username', { exact: true }).fill('nina')
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.waitForURL(url('/account/profile/'))
    await page.getByText('Signed in as nina').waitFor()
    await expect(page.getByLabel('First name', { exact: true }).inputValue()).resolves.toBe('Nina')
    violations.push(...(await checkPage(page, 'account-profile')))
    // The page holds no token: the cookies are HttpOnly.
    const cookies = await page.context().cookies()
    expect(
      cookies.filter((cookie) => /access|refresh/.test(cookie.name)).every((c) => c.httpOnly),
    ).toBe(true)

    // Save a name and the server's custom profile field (PROFILE_FIELDS: phone).
    await page.getByLabel('Last name', { exact: true }).fill('Waymon')
    await page.getByLabel('Phone', { exact: true }).fill('+1 555 0100')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Saved.').waitFor()
    await page.reload()
    await expect(page.getByLabel('Phone', { exact: true }).inputValue()).resolves.toBe(
      '+1 555 0100',
    )

    // A new email waits for the link mailed to it (EMAIL_CHANGE_CONFIRMATION).
    await page.getByLabel('Email', { exact: true }).fill('nina.waymon@example.com')
    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Open the link we sent to nina.waymon@example.com').waitFor()
    await page.goto(mailLink(await mailTo(world, 'nina.waymon@example.com'), world.origin))
    violations.push(...(await checkPage(page, 'account-confirm-email')))
    await page.getByRole('button', { name: 'Confirm this address' }).click()
    await page.getByText('Your email address is changed').waitFor()
    await page.goto(url('/account/profile/'))
    await expect(page.getByLabel('Email', { exact: true }).inputValue()).resolves.toBe(
      'nina.waymon@example.com',
    )

    // Change the password: this session goes on (the others would end).
    await page.getByRole('link', { name: 'Password' }).click()
    violations.push(...(await checkPage(page, 'account-password')))
    await page.getByLabel('Current password', { exact: true }).fill(PASSWORD)
    await page.getByLabel('New password', { exact: true }).fill(MID_PASSWORD)
    await page.getByRole('button', { name: 'Change password' }).click()
    await page.getByText('Password changed.').waitFor()
    await page.getByRole('link', { name: 'Sessions' }).click()
    await page.getByRole('cell', { name: '127.0.0.1' }).first().waitFor()
    violations.push(...(await checkPage(page, 'account-sessions')))

    // Enrol TOTP: the QR code, the secret, a code computed here.
    await page.getByRole('link', { name: 'Two-factor' }).click()
    violations.push(...(await checkPage(page, 'account-two-factor')))
    await page.getByLabel('Password', { exact: true }).fill(MID_PASSWORD)
    await page.getByRole('button', { name: 'Set up' }).click()
    const qr = page.getByRole('img', { name: 'QR code of your two-factor secret' })
    await qr.waitFor()
    expect(await qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(
      true,
    )
    const secret = (await page.getByTestId('totp-secret').textContent()) ?? ''
    violations.push(...(await checkPage(page, 'account-two-factor-setup')))
    await page.getByLabel('Code from the app', { exact: true }).fill(totpCode(secret))
    await page.getByRole('button', { name: 'Turn on' }).click()
    await page.getByRole('heading', { name: 'Your recovery codes' }).waitFor()
    const recoveryCodes = await page.locator('ul.codes li').allTextContents()
    expect(recoveryCodes).toHaveLength(10)
    await page.getByText('Two-factor authentication is on').waitFor()
    violations.push(...(await checkPage(page, 'account-two-factor-on')))

    // Log out, log in with a code (the next step's: the enrolment's code is spent).
    await page.getByRole('button', { name: 'Log out', exact: true }).click()
    await page.waitForURL(url('/account/login/'))
    await page.getByLabel('Username', { exact: true }).fill('nina')
    await page.getByLabel('Password', { exact: true }).fill(MID_PASSWORD)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor()
    violations.push(...(await checkPage(page, 'account-login-code')))
    await page.getByLabel('Code', { exact: true }).fill('000000')
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.getByRole('alert').waitFor()
    await page.getByLabel('Code', { exact: true }).fill(totpCode(secret, 1))
    await page.getByLabel('Remember this device', { exact: true }).check()
    await page.getByRole('button', { name: 'Verify' }).click()
    await page.waitForURL(url('/account/profile/'))
    await page.getByText('Signed in as nina').waitFor()
    await page.getByRole('link', { name: 'Sessions' }).click()
    await page.getByRole('heading', { name: 'Trusted devices' }).waitFor()
    await page.getByRole('button', { name: 'Forget' }).first().waitFor()
    await page.getByRole('button', { name: 'Log out', exact: true }).click()
    await page.waitForURL(url('/account/login/'))

    // Forgot the password: the mail's link, a new password.
    await page.getByRole('link', { name: 'Forgot your password?' }).click()
    violations.push(...(await checkPage(page, 'account-forgot')))
    await page.getByLabel('Email', { exact: true }).fill('nina.waymon@example.com')
    await page.getByRole('button', { name: 'Send me a link' }).click()
    await page.getByText('a link to reset its password is on its way').waitFor()
    await page.goto(mailLink(await mailTo(world, 'nina.waymon@example.com'), world.origin))
    violations.push(...(await checkPage(page, 'account-reset')))
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Set password' }).click()
    await page.getByText('Your password is changed').waitFor()
    // Right away, in the reset's own second: the second factor's mfa_token carries its login's
    // time to the millisecond, so the step works at once.

    // The old password is refused; the new one and a recovery code let her in.
    await page.getByRole('link', { name: 'Log in' }).click()
    await page.getByLabel('Username', { exact: true }).fill('nina')
    await page.getByLabel('Password', { exact: true }).fill(MID_PASSWORD)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByRole('alert').waitFor()
    await page.getByLabel('Password', { exact: true }).fill(NEW_PASSWORD)
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click()
    await page.getByLabel('Recovery code', { exact: true }).fill(recoveryCodes[0] ?? '')
    await page.getByRole('button', { name: 'Log in', exact: true }).click()
    await page.waitForURL(url('/account/profile/'))
    await page.getByText('Signed in as nina').waitFor()

    // Her sessions end behind the page's back (another device's "log out everywhere"): the
    // page still believes in its session when the next mail's link opens below.
    await page.evaluate(async () => {
      const { csrf_token: csrf } = await (await fetch('/api/csrf/')).json()
      const headers = { 'x-csrftoken': csrf, 'content-type': 'application/json' }
      await fetch('/api/logout/all/', { method: 'POST', headers, body: '{}' })
    })

    // Forgot the username too: the mail's link, a new one; the stale session does not send
    // the link's page to the login (its token would be lost).
    await page.goto(url('/account/login/'))
    await page.getByRole('link', { name: 'Forgot your username?' }).click()
    violations.push(...(await checkPage(page, 'account-forgot-username')))
    await page.getByLabel('Email', { exact: true }).fill('nina.waymon@example.com')
    await page.getByRole('button', { name: 'Send me a link' }).click()
    await page.getByText('a link to choose a new username is on its way').waitFor()
    await page.evaluate(() => localStorage.setItem('tessera.cookie-session', '{}'))
    await page.goto(mailLink(await mailTo(world, 'nina.waymon@example.com'), world.origin))
    await page.getByRole('button', { name: 'Set username' }).waitFor()
    expect(new URL(page.url()).hash).not.toBe('')
    violations.push(...(await checkPage(page, 'account-reset-username')))
    await page.getByLabel('New username', { exact: true }).fill('nina.simone')
    await page.getByRole('button', { name: 'Set username' }).click()
    await page.getByText('Your username is changed').waitFor()
    const renamed = await world.server.stores.users.findUserByUsernameKey('nina.simone')
    expect(renamed?.email).toBe('nina.waymon@example.com')

    expect(violations).toEqual([])
    expect(problems).toEqual([])
  })
})
