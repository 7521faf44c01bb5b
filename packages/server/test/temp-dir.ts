import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach } from 'vitest'

/** A fresh temporary directory per call, removed after the test. */
export function useTempDirs(): () => string {
  const dirs: string[] = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
  })
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-server-'))
    dirs.push(dir)
    return dir
  }
}

/** A strong HS256 key for tests (64 characters, many distinct). */
export const TEST_SIGNING_KEY = 'test-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJKLMNOP'
