import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, extname, join, relative, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import { bearerChallenge, errorResponse } from '@tessera/core'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { DOCUMENT_HEADERS } from './response-headers.js'

/**
 * The pages' CSP: everything from this server, no inline script or style (`'unsafe-inline'`
 * nowhere), images also as `data:` (the TOTP QR code), never framed (clickjacking), forms and
 * `<base>` pinned, no plugins.
 */
export const WEB_PAGES_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
  "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; " +
  "object-src 'none'; frame-ancestors 'none'"

/** Vite's hashed file names never change content: cached for a year, never revalidated. */
const IMMUTABLE = 'public, max-age=31536000, immutable'

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
}

/** One built file, read once at start-up, with its gzipped form when that is smaller. */
interface WebFile {
  readonly body: Buffer
  readonly gzip: Buffer | undefined
  readonly type: string
  readonly etag: string
}

/** The two apps, each answering every path under it with its index.html (client routing). */
const APPS = ['account', 'admin'] as const

/**
 * Where `@tessera/web`'s build is: `dist/` beside its package.json, or null when the package
 * is not installed.
 */
export function defaultWebDir(): string | null {
  try {
    const require = createRequire(import.meta.url)
    return join(dirname(require.resolve('@tessera/web/package.json')), 'dist')
  } catch {
    return null
  }
}

/** Every file under `dir` (the manifest folder excepted), keyed by its URL path. */
export function readWebFiles(dir: string): Map<string, WebFile> {
  const files = new Map<string, WebFile>()
  const walk = (folder: string) => {
    for (const name of readdirSync(folder)) {
      const path = join(folder, name)
      if (statSync(path).isDirectory()) {
        if (name !== '.vite') walk(path)
        continue
      }
      const body = readFileSync(path)
      const type = TYPES[extname(name)] ?? 'application/octet-stream'
      const packed = /^(text|image\/svg)/.test(type) ? gzipSync(body, { level: 9 }) : undefined
      files.set(`/${relative(dir, path).split(sep).join('/')}`, {
        body,
        gzip: packed !== undefined && packed.length < body.length ? packed : undefined,
        type,
        etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      })
    }
  }
  walk(dir)
  return files
}

function send(request: FastifyRequest, reply: FastifyReply, file: WebFile, cache: string): void {
  reply.headers(DOCUMENT_HEADERS)
  reply.header('content-security-policy', WEB_PAGES_CSP)
  reply.header('cache-control', cache)
  reply.header('etag', file.etag)
  reply.header('vary', 'accept-encoding')
  reply.type(file.type)
  if (request.headers['if-none-match'] === file.etag) {
    reply.code(304).send()
    return
  }
  const gzip = file.gzip !== undefined && /\bgzip\b/.test(request.headers['accept-encoding'] ?? '')
  if (gzip) reply.header('content-encoding', 'gzip')
  reply.send(gzip ? file.gzip : file.body)
}

/**
 * Serves the built pages of `@tessera/web` from memory: `/account/...` and `/admin/...`
 * (every path under them answers its app's index.html, `no-cache` so a new build is picked up
 * at once) and their hashed `/assets/` (immutable). Strict CSP and the document headers on
 * each. Returns false, registering nothing, when `dir` holds no build.
 */
export function registerWebPages(app: FastifyInstance, dir: string): boolean {
  if (!existsSync(join(dir, 'account', 'index.html'))) return false
  const files = readWebFiles(dir)
  const hide = { schema: { hide: true } }
  app.get('/assets/*', hide, async (request, reply) => {
    const file = files.get(request.url.split('?')[0] ?? '')
    if (file === undefined) {
      const response = errorResponse('not_found', { challenge: bearerChallenge('Bearer') })
      return reply.code(response.status).headers(response.headers).send(response.body)
    }
    send(request, reply, file, IMMUTABLE)
    return reply
  })
  for (const name of APPS) {
    const index = files.get(`/${name}/index.html`)
    if (index === undefined) continue
    const page = async (request: FastifyRequest, reply: FastifyReply) => {
      send(request, reply, index, 'no-cache')
      return reply
    }
    // `/account` answers like `/account/` would, after a redirect keeping relative links right.
    app.get(`/${name}`, hide, async (_request, reply) => reply.redirect(`/${name}/`, 301))
    app.get(`/${name}/`, hide, page)
    app.get(`/${name}/*`, hide, page)
  }
  return true
}
