import { randomBytes } from 'node:crypto'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'

const tempDir = useTempDirs()

beforeAll(requireBuiltCli)

interface ListedKey {
  kid: string
  alg: string
  status: string
  verify_until: string | null
  encrypted: boolean
}

/** A CLI bound to a fresh data directory, keys kept in the store with `alg`. */
function cli(alg = 'ES256', extraEnv: Record<string, string> = {}) {
  const cwd = tempDir()
  const env = { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_ALGORITHM: alg, ...extraEnv }
  return (args: string[], more: Record<string, string> = {}) =>
    runTessera(args, { cwd, env: { ...env, ...more } })
}

async function listed(tessera: ReturnType<typeof cli>): Promise<ListedKey[]> {
  const run = await tessera(['keys', 'list', '--json'])
  expect(run.stderr).toBe('')
  expect(run.status).toBe(0)
  return JSON.parse(run.stdout) as ListedKey[]
}

describe('tessera keys', () => {
  it('creates the first key on first use and lists it without key material', async () => {
    const tessera = cli('EdDSA')
    const table = await tessera(['keys', 'list'])
    expect(table.status).toBe(0)
    expect(table.stdout).toMatch(/^KID +ALG +STATUS/)
    expect(table.stdout).toMatch(/EdDSA +current/)
    const keys = await listed(tessera)
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ alg: 'EdDSA', status: 'current', encrypted: false })
    expect(JSON.stringify(keys)).not.toMatch(/PRIVATE|"d"|"x"/)
  })

  it('generates a next key, rotates it in and retires the old key until lifetime + leeway', async () => {
    const tessera = cli('ES256', {
      TESSERA_REFRESH_TOKEN_LIFETIME: '1h',
      TESSERA_LEEWAY: '30',
    })
    const [first] = await listed(tessera)
    const generated = await tessera(['keys', 'generate', '--alg', 'RS256'])
    expect(generated.status).toBe(0)
    expect(generated.stdout).toMatch(/^Generated RS256 key \S+ as next/)
    const withNext = await listed(tessera)
    const next = withNext.find((key) => key.status === 'next')
    expect(next?.alg).toBe('RS256')

    const rotated = await tessera(['keys', 'rotate'])
    expect(rotated.status).toBe(0)
    expect(rotated.stdout).toContain(`Key ${next?.kid} (RS256) signs from now on.`)
    expect(rotated.stdout).toContain(`Key ${first?.kid} is retired`)
    // The RS256 key was published moments ago: the CLI says what that means.
    expect(rotated.stderr).toMatch(/published \d+ s ago/)
    const after = await listed(tessera)
    expect(after.find((key) => key.kid === next?.kid)?.status).toBe('current')
    const retired = after.find((key) => key.kid === first?.kid)
    expect(retired?.status).toBe('retired')
    // 1 h refresh lifetime + 30 s leeway after the rotation.
    const until = Date.parse(retired?.verify_until ?? '') / 1000
    expect(until - Date.now() / 1000).toBeGreaterThan(3600 + 30 - 60)
    expect(until - Date.now() / 1000).toBeLessThanOrEqual(3600 + 30)
    expect(after.filter((key) => key.status === 'next')).toHaveLength(1)
  })

  it('retires a next key at once and refuses retiring an unknown kid', async () => {
    const tessera = cli()
    await tessera(['keys', 'generate'])
    const next = (await listed(tessera)).find((key) => key.status === 'next')
    expect(next).toBeDefined()
    // One kid in 64 starts with '-': after '--' every kid is an argument, never an option.
    const retired = await tessera(['keys', 'retire', '--', next?.kid ?? ''])
    expect(retired.stderr).toBe('')
    expect(retired.status).toBe(0)
    expect((await listed(tessera)).find((key) => key.kid === next?.kid)?.status).toBe('retired')
    const unknown = await tessera(['keys', 'retire', '../../etc/passwd'])
    expect(unknown.status).toBe(1)
    expect(unknown.stderr).toMatch(/no signing key with kid/)
  })

  it("takes a kid that starts with '-' after '--' and says so when it is missing", async () => {
    const tessera = cli()
    const dashed = await tessera(['keys', 'retire', '--', '-AbC_d3'])
    expect(dashed.status).toBe(1)
    expect(dashed.stderr).toBe('tessera: error: no signing key with kid -AbC_d3\n')
    const bare = await tessera(['keys', 'retire', '-AbC_d3'])
    expect(bare.status).toBe(2)
    expect(bare.stderr).toMatch(
      /^tessera keys: error: unknown option -A; an argument that starts with '-' goes after '--'\n/,
    )
    expect(bare.stderr).not.toContain('AbC_d3')
  })

  it('encrypts keys at rest with the key-encryption key and reads them back', async () => {
    const kek = randomBytes(32).toString('base64url')
    const tessera = cli('ES256')
    await tessera(['keys', 'list'])
    const plain = await tessera(['keys', 'encrypt'])
    expect(plain.status).toBe(1)
    expect(plain.stderr).toMatch(/TESSERA_KEY_ENCRYPTION_KEY/)
    const sealed = await tessera(['keys', 'encrypt'], { TESSERA_KEY_ENCRYPTION_KEY: kek })
    expect(sealed.stdout).toBe('Encrypted 1 stored private key.\n')
    expect((await listed(tessera))[0]?.encrypted).toBe(true)
    const rotated = await tessera(['keys', 'rotate'], { TESSERA_KEY_ENCRYPTION_KEY: kek })
    expect(rotated.status).toBe(0)
    const wrong = randomBytes(32).toString('hex')
    const refused = await tessera(['users', 'deactivate', 'nobody'], {
      TESSERA_KEY_ENCRYPTION_KEY: wrong,
    })
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/another key-encryption key/)
    expect(refused.stderr).not.toContain(wrong)
    expect(refused.stderr).not.toContain(kek)
  })

  it.each([
    ['an HMAC algorithm', { TESSERA_ALGORITHM: 'HS256' }, /HMAC keys come from SIGNING_KEY/],
    [
      'a configured SIGNING_KEY',
      { TESSERA_SIGNING_KEY: '-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----' },
      /SIGNING_KEY is set/,
    ],
  ])('refuses to manage keys with %s', async (_name, env, message) => {
    const run = await cli('ES256', env)(['keys', 'list'])
    expect(run.status).toBe(1)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).not.toContain('BEGIN PRIVATE KEY')
  })

  it.each([
    [['keys'], /missing <subcommand>/],
    [['keys', 'burn'], /expected one of/],
    [['keys', 'retire'], /retire needs a kid/],
    [['keys', 'rotate', 'abc'], /rotate takes no kid/],
    [['keys', 'generate', '--alg', 'HS256'], /--alg must be one of RS256, ES256, EdDSA/],
    [['keys', 'list', '--alg', 'ES256'], /--alg applies to generate and rotate/],
  ])('answers %j with a usage error (exit 2)', async (args, message) => {
    const run = await cli()(args)
    expect(run.status).toBe(2)
    expect(run.stderr).toMatch(message)
  })
})
