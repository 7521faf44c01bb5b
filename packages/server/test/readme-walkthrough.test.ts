import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { requireBuiltCli, type ServedTessera, serveTessera } from './cli/run-tessera.js'
import { useTempDirs } from './temp-dir.js'

const README = new URL('../../../README.md', import.meta.url)
const tempDir = useTempDirs()

/** The README's curl walkthrough, exactly as written, except for the address it talks to. */
function walkthroughScript(base: string): string {
  const readme = readFileSync(README, 'utf8')
  const section = readme.slice(readme.indexOf('### The tutorial flow with curl'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1]
  if (block === undefined) throw new Error('README has no curl walkthrough block')
  if (!block.startsWith('BASE=http://127.0.0.1:8000\n'))
    throw new Error('walkthrough must start with BASE=')
  // Each curl answer on its own line, so the test can read them one by one.
  return `set -e\n${block.replace('BASE=http://127.0.0.1:8000', `BASE=${base}`)}`
    .split('\n')
    .map((line) => (line.startsWith('curl ') ? `echo; ${line}` : line))
    .join('\n')
}

describe('the README walkthrough, verbatim, against `tessera serve` with no configuration', () => {
  let server: ServedTessera | undefined

  beforeAll(async () => {
    requireBuiltCli()
    // The newcomer path: no settings at all; SQLite and a development key in ./.tessera.
    server = await serveTessera([], { cwd: tempDir(), env: {} })
  })

  afterAll(async () => {
    await server?.stop()
  })

  it('registers, logs in, says hello, rotates, logs out, and refuses the logged-out token', () => {
    const output = execFileSync('bash', ['-c', walkthroughScript(server?.url ?? '')], {
      encoding: 'utf8',
    })
    const answers = output.split('\n').filter((line) => line.trim() !== '')
    expect(JSON.parse(answers[0] ?? '')).toMatchObject({ username: 'peter', first_name: 'Peter' })
    expect(answers).toContain('{"msg":"Hello Peter Parker"}')
    expect(answers.at(-2)).toBe('{}')
    expect(answers.at(-1)).toBe('{"detail":"Token is blacklisted","code":"token_not_valid"}')
  })
})
