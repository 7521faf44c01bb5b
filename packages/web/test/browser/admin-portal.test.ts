import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { axeResults, checkPage, openPage, type PagesWorld, startWorld } from './pages-fixture.js'

// The staff portal in Chromium against the server over a real socket: a staff user finds a
// user, puts them in a group, grants a permission, deactivates them (their open session, in a
// second browser, dies on its next request) and finds every step in the audit view; a user
// who is not staff is refused the portal and its API. Every page is checked with axe and
// pictured at desktop and phone width.

vi.setConfig({ testTimeout: 180_000 })

let world: PagesWorld

beforeAll(async () => {
  world = await startWorld()
})

afterAll(async () => {
  console.log(
    'axe (admin portal):',
    [...axeResults].map(([page, r]) => `${page}: ${r.violations} violations`).join('; '),
  )
  await world?.close()
})

const PASSWORD = 'a long enough passphrase 1'

/** A user made through the API's registration, then given flags straight in the store. */
async function person(
  username: string,
  flags: { isStaff?: boolean; isSuperuser?: boolean } = {},
): Promise<string> {
  const created = await world.server.app.inject({
    method: 'POST',
    url: '/api/register/',
    payload: { username, email: `${username}@example.com`, password: PASSWORD },
  })
  expect(created.statusCode).toBe(201)
  const id = String(created.json().id)
  // Activation is on in this world: the mail's link is the account test's business.
  await world.server.stores.users.updateUser(id, { isActive: true, ...flags })
  await world.smtp.next()
  return id
}

async function logIn(page: Page, username: string, next = ''): Promise<void> {
  await page.goto(`${world.origin}/account/login/${next}`)
  await page.getByLabel('Username', { exact: true }).fill(username)
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
  await page.getByRole('button', { name: 'Log in', exact: true }).click()
}

/** Confirms the open dialog with its button named `name`. */
async function confirm(page: Page, name: string): Promise<void> {
  const dialog = page.getByRole('dialog')
  await dialog.getByRole('button', { name, exact: true }).click()
  await dialog.waitFor({ state: 'hidden' })
}

describe('staff portal in Chromium', () => {
  it('a staff user finds a user, groups, grants, deactivates (their session dies), audits', async () => {
    await person('ada', { isStaff: true, isSuperuser: true })
    const ninaId = await person('nina')
    const violations: string[] = []

    // Nina is signed in, in a browser of her own.
    const nina = await openPage(world)
    await logIn(nina.page, 'nina')
    await nina.page.waitForURL(/\/account\/profile\/$/)

    // Ada signs in and lands in the portal.
    const { page, problems } = await openPage(world)
    await logIn(page, 'ada', '?next=/admin/')
    await page.waitForURL(/\/admin\/users\/$/)
    await page.getByRole('cell', { name: 'nina@example.com' }).waitFor()
    violations.push(...(await checkPage(page, 'admin-users')))

    // A group and a permission to hand out.
    await page.getByRole('link', { name: 'Groups' }).click()
    await page.getByLabel('Name', { exact: true }).fill('editors')
    await page.getByRole('button', { name: 'Create group' }).click()
    await page.getByRole('link', { name: 'editors' }).waitFor()
    violations.push(...(await checkPage(page, 'admin-groups')))
    await page.getByRole('link', { name: 'Permissions' }).click()
    await page.getByLabel('App label', { exact: true }).fill('blog')
    await page.getByLabel('Codename', { exact: true }).fill('publish_post')
    await page.getByLabel('Name', { exact: true }).fill('Can publish posts')
    await page.getByRole('button', { name: 'Create permission' }).click()
    await page.getByRole('cell', { name: 'blog.publish_post' }).waitFor()
    violations.push(...(await checkPage(page, 'admin-permissions')))

    // Find Nina.
    await page.getByRole('link', { name: 'Users' }).click()
    await page.getByLabel('Search', { exact: true }).fill('NIN')
    await page.getByRole('button', { name: 'Search', exact: true }).click()
    await page.getByText('Page 1 of 1 (1 in all)').waitFor()
    await page.getByRole('link', { name: 'nina', exact: true }).click()
    await page.waitForURL(new RegExp(`/admin/users/${ninaId}/$`))
    await page.getByRole('heading', { name: 'User nina' }).waitFor()
    violations.push(...(await checkPage(page, 'admin-user-detail')))

    // Into the group; the permission granted.
    await page.getByLabel('Group', { exact: true }).selectOption({ label: 'editors' })
    await page.getByRole('button', { name: 'Add to group' }).click()
    await page.getByRole('button', { name: 'Remove from editors' }).waitFor()
    await page.getByLabel('Permission', { exact: true }).selectOption('blog.publish_post')
    await page.getByRole('button', { name: 'Grant' }).click()
    await page.getByRole('button', { name: 'Revoke blog.publish_post' }).waitFor()

    // Deactivated: asked first, then done.
    await page.getByRole('button', { name: 'Deactivate' }).click()
    await page.getByRole('dialog').waitFor()
    violations.push(...(await checkPage(page, 'admin-confirm-dialog')))
    await confirm(page, 'Deactivate')
    await page.getByRole('button', { name: 'Activate' }).waitFor()

    // Nina's open session dies on her next request: the page sends her to the login.
    await nina.page.getByRole('link', { name: 'Sessions' }).click()
    await nina.page.waitForURL(/\/account\/login\/\?next=/)

    // Every step in the audit view, filtered to Nina.
    await page.getByRole('link', { name: 'All their events' }).click()
    await page.waitForURL(/\/admin\/audit\/\?user=/)
    for (const type of ['group_member_added', 'permission_granted', 'user_updated']) {
      await page.getByRole('cell', { name: type, exact: true }).first().waitFor()
    }
    violations.push(...(await checkPage(page, 'admin-audit')))
    await page.getByLabel('Event types', { exact: true }).fill('permission_granted')
    await page.getByRole('button', { name: 'Filter' }).click()
    await page.getByText('Page 1 of 1 (1 in all)').waitFor()

    // The superuser's pages: keys and the mail outbox.
    await page.getByRole('link', { name: 'Keys' }).click()
    await page.getByRole('button', { name: 'Rotate now' }).waitFor()
    violations.push(...(await checkPage(page, 'admin-keys')))
    await page.getByRole('link', { name: 'Mail' }).click()
    await page.getByRole('cell', { name: 'nina@example.com' }).first().waitFor()
    violations.push(...(await checkPage(page, 'admin-mail')))

    expect(violations).toEqual([])
    expect(problems).toEqual([])
    expect(nina.problems).toEqual([])
  })

  it('refuses the portal and its API to a user who is not staff', async () => {
    await person('bob')
    const { page, problems } = await openPage(world)
    await logIn(page, 'bob', '?next=/admin/users/')
    await page.getByRole('heading', { name: 'Staff only' }).waitFor()
    expect(await page.getByRole('navigation', { name: 'Main' }).count()).toBe(0)
    const violations = await checkPage(page, 'admin-refused')
    // The API refuses him too, with his own cookies.
    const answer = await page.evaluate(async () => {
      const response = await fetch('/api/admin/users/', { credentials: 'include' })
      return { status: response.status, body: await response.json() }
    })
    expect(answer).toEqual({
      status: 403,
      body: expect.objectContaining({ code: 'permission_denied' }),
    })
    expect(violations).toEqual([])
    expect(problems).toEqual([])
  })
})
