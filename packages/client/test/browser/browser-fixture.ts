import { existsSync, readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Browser, chromium } from 'playwright-core'

/** Chromium to drive, from `TESSERA_TEST_CHROMIUM` (`.ci/run` installs Debian's and sets it). */
export const CHROMIUM = process.env.TESSERA_TEST_CHROMIUM || undefined

const CLIENT_DIST = fileURLToPath(new URL('../../dist/', import.meta.url))

// The app: loads the SDK as a module and hands `createClient` to the test.
const PAGE = `<!doctype html><title>app</title>
<script type="module">
  import { createClient } from '/client/index.js'
  window.createClient = createClient
</script>`

/** Headless Chromium as this machine runs it: no sandbox (root), no network of its own. */
export async function launchChromium(executablePath: string): Promise<Browser> {
  if (!existsSync(join(CLIENT_DIST, 'index.js'))) {
    throw new Error(`${CLIENT_DIST}index.js is missing: build first with npx tsc -b`)
  }
  return chromium.launch({
    executablePath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  })
}

/**
 * The frontend's origin: a page at `/` that loads the SDK (`window.createClient`), and the built `@tessera/client` under `/client/`,
 * as an app would bundle it (plain ES modules: the package has no dependencies).
 */
export async function servePage(): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://page').pathname
    if (path === '/') {
      response.writeHead(200, { 'content-type': 'text/html' })
      response.end(PAGE)
      return
    }
    const file = normalize(join(CLIENT_DIST, path.replace(/^\/client\//, '')))
    if (!path.startsWith('/client/') || !file.startsWith(CLIENT_DIST) || !existsSync(file)) {
      response.writeHead(404).end()
      return
    }
    const type = extname(file) === '.js' ? 'text/javascript' : 'application/octet-stream'
    response.writeHead(200, { 'content-type': type }).end(readFileSync(file))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    // localhost, as the API: another origin of the same site, so SameSite cookies still go.
    origin: `http://localhost:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
