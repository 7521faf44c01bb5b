import type { CDPSession, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { checkPage, openPage, type PagesWorld, startWorld } from './pages-fixture.js'

// Passkeys in a real Chromium with a virtual authenticator (the DevTools protocol's WebAuthn
// domain: CTAP2, internal transport, resident keys, user verification), through the account
// pages against the server over a real socket. http://localhost is a secure context, and the
// RP ID is `localhost`.

vi.setConfig({ testTimeout: 120_000 })

let world: PagesWorld

beforeAll(async () => {
  world = await startWorld({ host: 'localhost', env: { TESSERA_SEND_ACTIVATION_EMAIL: 'false' } })
})

afterAll(async () => {
  await world?.close()
})

const PASSWORD = 'a long enough passphrase 1'

/** A platform authenticator with a fingerprint reader that always says yes. */
async function addVirtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; id: string }> {
  const cdp = await page.context().newCDPSession(page)
  await cdp.send('WebAuthn.enable')
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  })
  return { cdp, id: authenticatorId }
}

describe('passkeys on the account pages in Chromium', () => {
  it('registers a passkey, logs in with it alone, uses it as second factor, and is refused once deleted', async () => {
    const { page, problems } = await openPage(world)
    const url = (path: string) => `${world.origin}${path}`
    const { cdp, id } = await addVirtualAuthenticator(page)
    const created = await fetch(url('/api/register/'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'pia', email: 'pia@example.com', password: PASSWORD }),
    })
    expect(created.status).toBe(201)

    const passwordLogin = async () => {
      await page.getByLabel('Username', { exact: true }).fill('pia')
      await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
      await page.getByRole('button', { name: 'Log in', exact: true }).click()
    }
    const logOut = async () => {
      await page.getByRole('button', { name: 'Log out', exact: true }).click()
      await page.waitForURL(url('/account/login/'))
    }

    // Log in with the password (no second factor yet), add a passkey on the Passkeys page.
    await page.goto(url('/account/login/'))
    await passwordLogin()
    await page.waitForURL(url('/account/profile/'))
    await page.getByRole('link', { name: 'Passkeys' }).click()
    await page.getByText('You have no passkey yet.').waitFor()
    await page.getByLabel('Name', { exact: true }).fill('Chromium')
    await page.getByRole('button', { name: 'Add a passkey' }).click()
    await page.getByText('Passkey “Chromium” added.').waitFor()
    await page.getByRole('cell', { name: 'Chromium' }).waitFor()
    const violations = await checkPage(page, 'account-passkeys')
    const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })
    expect(credentials).toHaveLength(1)
    expect(credentials[0]?.isResidentCredential).toBe(true)
    expect(credentials[0]?.rpId).toBe('localhost')

    // Log out; log in with the passkey, no username, no password.
    await logOut()
    await page.getByRole('button', { name: 'Log in with a passkey' }).click()
    await page.waitForURL(url('/account/profile/'))
    await page.getByText('Signed in as pia').waitFor()
    const afterLogin = await cdp.send('WebAuthn.getCredentials', { authenticatorId: id })
    expect(afterLogin.credentials[0]?.signCount).toBeGreaterThan(0)

    // The passkey is now the second factor of a password login.
    await logOut()
    await passwordLogin()
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor()
    violations.push(...(await checkPage(page, 'account-login-passkey')))
    await page.getByRole('button', { name: 'Use a passkey' }).click()
    await page.waitForURL(url('/account/profile/'))
    await page.getByText('Signed in as pia').waitFor()

    // Delete it: the page lists none, and the authenticator's copy is refused.
    await page.getByRole('link', { name: 'Passkeys' }).click()
    await page.getByRole('cell', { name: 'Chromium' }).waitFor()
    await page.getByRole('button', { name: 'Remove' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click()
    await page.getByText('You have no passkey yet.').waitFor()
    await logOut()
    await page.getByRole('button', { name: 'Log in with a passkey' }).click()
    await page.getByText('Passkey authentication failed.').waitFor()
    expect(page.url()).toBe(url('/account/login/'))
    // Without a passkey the password alone signs in again.
    await passwordLogin()
    await page.waitForURL(url('/account/profile/'))

    const events = await world.server.auth.stores.audit.listEvents({ limit: 50 })
    const types = events.map((event) => event.type)
    expect(types).toEqual(
      expect.arrayContaining(['passkey_registered', 'passkey_deleted', 'passkey_failed']),
    )
    expect(
      events.filter((e) => e.type === 'login_succeeded' && e.data.method === 'passkey'),
    ).toHaveLength(1)
    expect(problems).toEqual([])
    expect(violations).toEqual([])
  })
})
