import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'

const tempDir = useTempDirs()
const COMMANDS = [
  'serve',
  'migrate',
  'createsuperuser',
  'changepassword',
  'users',
  'flushexpiredtokens',
  'token',
]

beforeAll(requireBuiltCli)

describe('tessera --help', () => {
  it('lists every command and exits 0', async () => {
    const run = await runTessera(['--help'])
    expect(run.status).toBe(0)
    for (const command of COMMANDS) expect(run.stdout).toContain(`  ${command} `)
    expect(run.stderr).toBe('')
  })

  it.each(COMMANDS)('%s --help prints its usage and exits 0, touching nothing', async (command) => {
    const cwd = tempDir()
    const run = await runTessera([command, '--help', '--bogus'], {
      cwd,
      env: { TESSERA_DATA_DIR: `${cwd}/data` },
    })
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(new RegExp(`^Usage: tessera ${command}`))
    expect(run.stdout).toMatch(/-h, --help/)
    expect(run.stderr).toBe('')
  })

  it('prints the version', async () => {
    const run = await runTessera(['--version'])
    expect(run.status).toBe(0)
    expect(run.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
  })
})

describe('bad arguments exit 2 with one error line and the usage', () => {
  it.each([
    [[], /^tessera: error: missing command\nUsage: tessera <command>/],
    [['frobnicate'], /^tessera: error: unknown command 'frobnicate'\nUsage: tessera <command>/],
    [['--frobnicate'], /^tessera: error: unknown option --frobnicate\n/],
    [
      ['migrate', '--verbose'],
      /^tessera migrate: error: unknown option --verbose\nUsage: tessera migrate\n/,
    ],
    [['migrate', 'now'], /^tessera migrate: error: unexpected argument 'now'\n/],
    [
      ['migrate', '-xyz'],
      /^tessera migrate: error: unknown option -x; an argument that starts with '-' goes after '--'\n/,
    ],
    // After '--' even --help is an argument.
    [['migrate', '--', '--help'], /^tessera migrate: error: unexpected argument '--help'\n/],
    [
      ['createsuperuser', '--username'],
      /^tessera createsuperuser: error: Option '--username <value>' argument missing\n/,
    ],
    [
      ['createsuperuser', '--no-input'],
      /^tessera createsuperuser: error: --username is required with --no-input\n/,
    ],
    [
      ['changepassword'],
      /^tessera changepassword: error: missing <username>\nUsage: tessera changepassword/,
    ],
    [['users'], /^tessera users: error: missing subcommand/],
    [['users', 'delete', 'bob'], /^tessera users: error: unknown subcommand 'delete'\n/],
    [['users', 'show'], /^tessera users: error: missing <username> for show\n/],
    [['users', 'deactivate', 'a', 'b'], /^tessera users: error: unexpected argument 'b'\n/],
    [['token', 'decode'], /^tessera token: error: missing <jwt>\n/],
    [['token', 'encode', 'x'], /^tessera token: error: unknown subcommand 'encode'\n/],
    [
      ['serve', '--port', 'http'],
      /^tessera serve: error: --port must be a number from 0 to 65535; got 'http'\n/,
    ],
    [['serve', '--port', '70000'], /^tessera serve: error: --port must be a number/],
  ])('tessera %j', async (args, message) => {
    const cwd = tempDir()
    const run = await runTessera(args, { cwd, env: { TESSERA_DATA_DIR: `${cwd}/data` } })
    expect(run.status).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toMatch(/\nUsage: tessera /)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('runtime failures exit 1 with one clear line', () => {
  it('a bad setting names it and its source, never a stack', async () => {
    const cwd = tempDir()
    const run = await runTessera(['migrate'], { cwd, env: { TESSERA_PORT: 'eighty' } })
    expect(run.status).toBe(1)
    expect(run.stderr).toBe(
      'tessera: error: PORT must be a port number from 0 to 65535; got "eighty" (from env TESSERA_PORT)\n',
    )
  })

  it('production without a signing key refuses to serve, generating nothing', async () => {
    const cwd = tempDir()
    const run = await runTessera(['serve', '--port', '0'], {
      cwd,
      env: { TESSERA_ENV: 'production', TESSERA_DATA_DIR: `${cwd}/data` },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(
      /^tessera: error: TESSERA_ENV=production refuses to start without an explicit SIGNING_KEY/,
    )
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stdout).toBe('')
    expect(existsSync(join(cwd, 'data', 'signing-key'))).toBe(false)
  })

  it('a weak production key is refused without being echoed', async () => {
    const cwd = tempDir()
    const key = 'weak-key-1234'
    const run = await runTessera(['serve', '--port', '0'], {
      cwd,
      env: { TESSERA_ENV: 'production', TESSERA_SIGNING_KEY: key, TESSERA_DATA_DIR: `${cwd}/data` },
    })
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(/^tessera: error: SIGNING_KEY for HS256 must be at least 32 bytes/)
    expect(run.stderr).not.toContain(key)
  })
})
