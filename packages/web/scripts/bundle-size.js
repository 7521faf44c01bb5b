#!/usr/bin/env node
// The JavaScript each page loads first, gzipped: its entry chunk and every chunk it imports
// statically (Vite's manifest), as the server sends them. Exits 1 over the budget (100 KB).
// Usage: npm run -w @tessera/web size   (after a build)
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

/** The budget of first-load JavaScript per page, gzipped bytes. */
export const BUDGET_BYTES = 100 * 1024

/**
 * `{ page, files, bytes, gzipBytes }` for each HTML entry of the build in `distDir`.
 * @param {string} distDir
 */
export function measureFirstLoad(distDir) {
  const manifest = JSON.parse(readFileSync(join(distDir, '.vite/manifest.json'), 'utf8'))
  return Object.entries(manifest)
    .filter(([, chunk]) => chunk.isEntry === true)
    .map(([page, entry]) => {
      const files = new Set()
      const visit = (chunk) => {
        if (files.has(chunk.file)) return
        files.add(chunk.file)
        for (const name of chunk.imports ?? []) visit(manifest[name])
      }
      visit(entry)
      let bytes = 0
      let gzipBytes = 0
      for (const file of files) {
        const body = readFileSync(join(distDir, file))
        bytes += body.length
        gzipBytes += gzipSync(body, { level: 9 }).length
      }
      return { page, files: [...files], bytes, gzipBytes }
    })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist')
  let over = false
  for (const { page, files, bytes, gzipBytes } of measureFirstLoad(dist)) {
    over ||= gzipBytes > BUDGET_BYTES
    console.log(
      `${page}: ${(gzipBytes / 1024).toFixed(1)} KB gzipped (${(bytes / 1024).toFixed(1)} KB raw, ${files.length} files) of ${BUDGET_BYTES / 1024} KB`,
    )
  }
  process.exitCode = over ? 1 : 0
}
