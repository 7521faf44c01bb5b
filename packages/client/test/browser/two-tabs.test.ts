import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { serviceNotConfigured } from '../../../core/test/service-gate.js'
import {
  killServedTessera,
  requireBuiltCli,
  type ServedTessera,
  serveTessera,
} from '../../../server/test/cli/run-tessera.js'
import { useTempDirs } from '../../../server/test/temp-dir.js'
import { CHROMIUM, launchChromium, servePage } from './browser-fixture.js'

// A real Chromium: a page on one origin calls `tessera serve` on another in cookie mode; tabs of
// one browser share the session through @tessera/client (Web Locks, BroadcastChannel) while
// 5-second access tokens rotate under reuse detection.
const tempDir = useTempDirs()
const PETER = { username: 'peter', password: 'correct horse battery', first_name: 'Peter' }

declare global {
  interface Window {
    createClient: typeof import('@tessera/client').createClient
    tessera: import('@tessera/client').TesseraClient
    statuses: number[]
    ended: string[]
  }
}

if (CHROMIUM === undefined) {
  serviceNotConfigured('two tabs in Chromium', ['TESSERA_TEST_CHROMIUM'])
} else {
  const executable = CHROMIUM
  describe('@tessera/client in Chromium, cookie mode, across origins', () => {
    let browser: Browser
    let api: ServedTessera
    let apiUrl: string
    let page: Awaited<ReturnType<typeof servePage>>

    beforeAll(async () => {
      requireBuiltCli()
      page = await servePage()
      const cwd = tempDir()
      api = await serveTessera([], {
        cwd,
        env: {
          TESSERA_DATA_DIR: join(cwd, 'data'),
          TESSERA_TOKEN_TRANSPORT: 'cookie',
          TESSERA_CORS_ALLOWED_ORIGINS: page.origin,
          TESSERA_CORS_ALLOW_CREDENTIALS: 'true',
          TESSERA_ACCESS_TOKEN_LIFETIME: '5s',
          TESSERA_ACCESS_LOG: 'off',
        },
      })
      apiUrl = api.url.replace('127.0.0.1', 'localhost')
      const registered = await fetch(`${api.url}/api/register/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(PETER),
      })
      expect(registered.status).toBe(201)
      browser = await launchChromium(executable)
    })

    afterAll(async () => {
      await browser?.close()
      await page?.close()
      killServedTessera()
    })

    /** A tab of `context` with a client made, calling /api/hello/ every 250 ms once `poll`. */
    async function openTab(context: BrowserContext): Promise<Page> {
      const tab = await context.newPage()
      await tab.goto(page.origin)
      await tab.waitForFunction(() => typeof window.createClient === 'function')
      await tab.evaluate((baseUrl) => {
        window.statuses = []
        window.ended = []
        window.tessera = window.createClient({
          baseUrl,
          transport: 'cookie',
          onSessionEnd: (reason: string) => window.ended.push(reason),
        })
      }, apiUrl)
      return tab
    }

    const poll = (tab: Page) =>
      tab.evaluate(() => {
        setInterval(async () => {
          if (window.ended.length > 0) return
          const answer = await window.tessera.fetch('/api/hello/')
          window.statuses.push(answer.status)
        }, 250)
      })

    it('keeps two tabs signed in through rotations; a third tab logs both out', async () => {
      const context = await browser.newContext()
      const refreshes: number[] = []
      context.on('response', (response) => {
        if (response.url().endsWith('/api/token/refresh/')) refreshes.push(response.status())
      })
      const [one, two] = [await openTab(context), await openTab(context)]
      await one.evaluate((peter) => window.tessera.login(peter), PETER)
      expect(await two.evaluate(() => window.tessera.signedIn)).toBe(true)
      await Promise.all([poll(one), poll(two)])

      // Three rotations of the refresh cookie: waited for as events, not a fixed time.
      await expect
        .poll(() => refreshes.filter((status) => status === 200).length, { timeout: 40_000 })
        .toBeGreaterThanOrEqual(3)
      const [statusesOne, statusesTwo] = await Promise.all(
        [one, two].map((tab) => tab.evaluate(() => window.statuses)),
      )
      expect(statusesOne?.length).toBeGreaterThan(10)
      expect(statusesTwo?.length).toBeGreaterThan(10)
      expect(new Set([...(statusesOne ?? []), ...(statusesTwo ?? [])])).toEqual(new Set([200]))
      expect(refreshes.every((status) => status === 200)).toBe(true)
      expect(await one.evaluate(() => window.ended)).toEqual([])
      expect(await two.evaluate(() => window.ended)).toEqual([])

      const three = await openTab(context)
      await three.evaluate(() => window.tessera.logout())
      for (const tab of [one, two]) {
        await tab.waitForFunction(() => window.ended.length > 0, undefined, { timeout: 10_000 })
        expect(await tab.evaluate(() => window.ended)).toEqual(['signed_out'])
        expect(
          await tab.evaluate(async () => (await window.tessera.fetch('/api/hello/')).status),
        ).toBe(401)
      }
      const cookies = await context.cookies(apiUrl)
      expect(cookies.map((cookie) => cookie.name).sort()).toEqual(['__Host-tessera_csrf'])
      await context.close()
    })
  })
}
