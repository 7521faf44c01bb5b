import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type LoadSettingsOptions, loadSettings } from '@tessera/core'
import { afterAll, describe, expect, it } from 'vitest'

const SECRET = 'hunter2-super-secret-signing-key-0123456789'
const dir = mkdtempSync(join(tmpdir(), 'tessera-secrets-'))

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function messageOf(options: LoadSettingsOptions, config?: string): string {
  if (config !== undefined) writeFileSync(join(dir, 'tessera.config.json'), config)
  try {
    loadSettings({
      env: {},
      cwd: dir,
      configFile: config === undefined ? false : undefined,
      ...options,
    })
  } catch (error) {
    return (error as Error).message
  }
  throw new Error('expected loadSettings to throw')
}

// Error messages end up in logs and crash reports; a key in one is a leaked key.
describe('secrets never appear in error messages', () => {
  it('reads the keys when valid', () => {
    const settings = loadSettings({
      env: { TESSERA_SIGNING_KEY: SECRET, TESSERA_VERIFYING_KEY: `${SECRET}-pub` },
      configFile: false,
    })
    expect(settings.SIGNING_KEY).toBe(SECRET)
    expect(settings.VERIFYING_KEY).toBe(`${SECRET}-pub`)
  })

  it.each([
    ['a non-string key in the config file', {}, JSON.stringify({ SIGNING_KEY: [SECRET] })],
    ['a non-string key in code', { overrides: { VERIFYING_KEY: [SECRET] as unknown as string } }],
    ['a misspelt key in the config file', {}, JSON.stringify({ SIGNING_KY: SECRET })],
    [
      'a misspelt key in code',
      { overrides: { SIGNINGKEY: SECRET } as LoadSettingsOptions['overrides'] },
    ],
    ['broken JSON around a key', {}, `{"SIGNING_KEY": "${SECRET}" "LEEWAY": 1}`],
    ['broken JSON inside a key', {}, `{"SIGNING_KEY": "${SECRET}\n"}`],
    ['a key beside a bad value', {}, JSON.stringify({ SIGNING_KEY: SECRET, LEEWAY: 'x' })],
  ])('%s', (_case, options: LoadSettingsOptions, config?: string) => {
    const message = messageOf(options, config)
    expect(message).not.toContain(SECRET.slice(0, 8))
  })

  it('names the setting and its source for an empty key, without a value', () => {
    expect(messageOf({ env: { TESSERA_SIGNING_KEY: '' } })).toBe(
      'SIGNING_KEY must be a non-empty string (from env TESSERA_SIGNING_KEY)',
    )
  })

  it('gives the position of broken JSON instead of quoting it', () => {
    const message = messageOf({}, `{\n  "SIGNING_KEY": "${SECRET}"\n  "LEEWAY": 1\n}`)
    expect(message).toMatch(/tessera\.config\.json is not valid JSON \(line 3, column 3\)$/)
  })
})
