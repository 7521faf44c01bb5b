import { join } from 'node:path'
import { createSqliteStores, openSqliteDatabase } from '@tessera/core/sqlite'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { TestSmtpServer } from '../mail/smtp-fixture.js'
import { useTempDirs } from '../temp-dir.js'
import { requireBuiltCli, runTessera } from './run-tessera.js'

const tempDir = useTempDirs()
const smtps: TestSmtpServer[] = []

beforeAll(requireBuiltCli)
afterEach(async () => {
  for (const smtp of smtps.splice(0)) await smtp.close()
})

/** A CLI bound to a fresh data directory, and that directory. */
function cli(env: Record<string, string> = {}) {
  const cwd = tempDir()
  const dataDir = join(cwd, 'data')
  const run = (args: string[]) =>
    runTessera(args, { cwd, env: { TESSERA_DATA_DIR: dataDir, ...env } })
  return { run, dataDir }
}

describe('tessera mail test', () => {
  it('prints the message with the console backend', async () => {
    const { run } = cli({ TESSERA_SITE_NAME: 'Example' })
    const result = await run(['mail', 'test', 'me@example.com'])
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    expect(result.stdout).toContain('To: me@example.com\nSubject: Test message from Example\n')
    expect(result.stdout).toContain('Sent a test message to me@example.com through console.\n')
  })

  it('sends over SMTP, and says why not when SMTP is down (exit 1)', async () => {
    const smtp = new TestSmtpServer()
    await smtp.listen()
    smtps.push(smtp)
    const smtpEnv = {
      TESSERA_EMAIL_BACKEND: 'smtp',
      TESSERA_EMAIL_HOST: '127.0.0.1',
      TESSERA_EMAIL_PORT: String(smtp.port),
      TESSERA_EMAIL_HOST_PASSWORD: 'smtp-password-never-printed',
    }
    const sent = await cli(smtpEnv).run(['mail', 'test', 'me@example.com'])
    expect(sent.status).toBe(0)
    expect(sent.stdout).toBe(
      `Sent a test message to me@example.com through smtp (127.0.0.1:${smtp.port}).\n`,
    )
    expect((await smtp.next()).to).toEqual(['me@example.com'])
    await smtp.close()
    const down = await cli(smtpEnv).run(['mail', 'test', 'me@example.com'])
    expect(down.status).toBe(1)
    expect(down.stderr).toContain(
      `could not send through smtp (127.0.0.1:${smtp.port}): ESOCKET ECONNREFUSED`,
    )
    expect(down.stderr + down.stdout).not.toContain('smtp-password-never-printed')
  })

  it('refuses an invalid address (exit 2)', async () => {
    const result = await cli().run(['mail', 'test', 'not-an-address'])
    expect(result.status).toBe(2)
    expect(result.stderr).toContain("'not-an-address' is not a valid email address")
  })
})

describe('tessera mail outbox', () => {
  it('lists the outbox and queues failed messages again', async () => {
    const { run, dataDir } = cli()
    expect((await run(['migrate'])).status).toBe(0)
    const database = await openSqliteDatabase(join(dataDir, 'tessera.sqlite3'))
    try {
      const stores = await createSqliteStores({ database, migrate: false })
      const message = (to: string) => ({
        kind: 'password_reset',
        from: 'noreply@example.com',
        to,
        subject: 'Reset',
        text: 'https://app.example.com/#/password/reset/confirm/MQ/secret-token',
        html: null,
        createdAt: 1_800_000_000,
        userId: '1',
      })
      const failed = await stores.mail.enqueue(message('a@example.com'))
      await stores.mail.enqueue(message('b@example.com'))
      await stores.mail.claimDue(1_800_000_001, 1, 60)
      await stores.mail.markFailed(failed.id, {
        at: 1_800_000_002,
        error: 'SMTP 550',
        retryAt: null,
      })
    } finally {
      database.close()
    }
    const listed = await run(['mail', 'outbox'])
    expect(listed.status).toBe(0)
    expect(listed.stdout).toMatch(/^ID +KIND +TO +STATUS +ATTEMPTS +NEXT ATTEMPT +LAST ERROR\n/)
    expect(listed.stdout).toMatch(/2 +password_reset +b@example.com +pending +0 /)
    expect(listed.stdout).toMatch(/1 +password_reset +a@example.com +failed +1 +- +SMTP 550\n/)
    expect(listed.stdout).not.toContain('secret-token')
    const json = await run(['mail', 'outbox', 'list', '--status', 'failed', '--json'])
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ id: '1', status: 'failed', last_error: 'SMTP 550' }),
    ])
    const retried = await run(['mail', 'outbox', 'retry', '--failed'])
    expect(retried.stdout).toBe(
      'Queued 1 message(s) again; running servers send them within seconds.\n',
    )
    const after = await run(['mail', 'outbox', '--status', 'failed'])
    expect(after.stdout).toBe('The outbox is empty.\n')
    const unknown = await run(['mail', 'outbox', 'retry', '99'])
    expect(unknown.status).toBe(1)
    expect(unknown.stdout).toContain('Not queued (unknown or already sent): 99')
    const bad = await run(['mail', 'outbox', 'retry'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toContain('mail outbox retry needs message ids or --failed')
  })
})
