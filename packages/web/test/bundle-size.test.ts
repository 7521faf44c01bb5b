import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { BUDGET_BYTES, measureFirstLoad } from '../scripts/bundle-size.js'

// The budget: the first load of each page under 100 KB of JavaScript, gzipped. Reads
// the build (`npm run build`); without one it fails rather than passing on nothing.
const DIST = fileURLToPath(new URL('../dist/', import.meta.url))

describe('first-load JavaScript of each page', () => {
  it('is under 100 KB gzipped for the account pages and the portal', () => {
    const pages = measureFirstLoad(DIST)
    expect(pages.map((page) => page.page).sort()).toEqual([
      'account/index.html',
      'admin/index.html',
    ])
    for (const page of pages) {
      expect(page.files.length).toBeGreaterThan(0)
      expect(page.gzipBytes).toBeGreaterThan(1000)
      expect(page.gzipBytes).toBeLessThan(BUDGET_BYTES)
    }
  })
})
