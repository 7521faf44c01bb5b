import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { beforeAll, describe, expect, it } from 'vitest'
import { requireBuiltCli } from '../cli/run-tessera.js'

// Memory stays flat under hostile input (issue 31, item 2, bounded for CI): 20,000 requests in a
// child process started with --expose-gc (vitest's workers have no `gc`), the heap used after a
// forced GC measured after a 2,000-request warm-up and at the end. Measured: +0.34 to +0.37 MB
// in three runs; keeping every response body (a deliberate leak) measured +2.4 MB.
const CHILD = fileURLToPath(new URL('./memory-child.mjs', import.meta.url))
const REQUESTS = 20_000
/** 1.5 MiB over 20,000 requests: a leak of 80 bytes a request would cross it. */
const BOUND = 1.5 * 1024 * 1024

beforeAll(requireBuiltCli)

describe('fuzz: memory', () => {
  it(`heap used after GC grows less than 1.5 MiB over ${REQUESTS} hostile requests`, async () => {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--expose-gc', CHILD, String(REQUESTS)],
      { timeout: 60_000 },
    )
    const { requests, before, after, fivexx } = JSON.parse(stdout) as {
      requests: number
      before: number
      after: number
      fivexx: number
    }
    expect(requests).toBe(REQUESTS)
    expect(fivexx).toBe(0)
    expect(before).toBeGreaterThan(0)
    expect(after - before, `${before} -> ${after}`).toBeLessThan(BOUND)
  }, 60_000)
})
