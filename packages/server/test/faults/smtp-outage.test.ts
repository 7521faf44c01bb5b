import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  killServedTessera,
  requireBuiltCli,
  type ServedTessera,
  serveTessera,
} from '../cli/run-tessera.js'
import { freePort } from '../cli/service-fixtures.js'
import { TestSmtpServer } from '../mail/smtp-fixture.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { probeDatabase } from './database-probe.js'
import { PASSWORD, send, waitFor } from './fault-fixtures.js'

// Issue 31: the SMTP server is slow (it holds its reply) or down. Requests that send mail answer
// at once: mail goes through the outbox, delivered after the answer. Then the mail arrives, once
// each, when SMTP answers again. A real `tessera serve` and a real SMTP server in this process.

const tempDir = useTempDirs()
const smtps: TestSmtpServer[] = []

beforeAll(requireBuiltCli)
afterEach(async () => {
  killServedTessera()
  for (const smtp of smtps.splice(0)) await smtp.close()
})

async function smtpOn(port = 0): Promise<TestSmtpServer> {
  const smtp = new TestSmtpServer()
  await smtp.listen(port)
  smtps.push(smtp)
  return smtp
}

async function serveWithSmtp(port: number): Promise<{ served: ServedTessera; file: string }> {
  const cwd = tempDir()
  const dataDir = join(cwd, 'data')
  const served = await serveTessera([], {
    cwd,
    env: {
      TESSERA_DATA_DIR: dataDir,
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
      TESSERA_EMAIL_BACKEND: 'smtp',
      TESSERA_EMAIL_HOST: '127.0.0.1',
      TESSERA_EMAIL_PORT: String(port),
      TESSERA_DEFAULT_FROM_EMAIL: 'noreply@example.com',
      TESSERA_THROTTLE_MAIL_EMAIL: '100/hour',
    },
  })
  return { served, file: join(dataDir, 'tessera.sqlite3') }
}

async function createUser(served: ServedTessera, name: string): Promise<void> {
  const created = await send(`${served.url}/auth/users/`, {
    username: name,
    email: `${name}@example.com`,
    password: PASSWORD,
  })
  expect(created.status).toBe(201)
}

/** `reset_password` for `name`: asserts the contract's 204, resolves to its milliseconds. */
async function requestReset(served: ServedTessera, name: string): Promise<number> {
  const started = performance.now()
  const answer = await send(`${served.url}/auth/users/reset_password/`, {
    email: `${name}@example.com`,
  })
  expect(answer.status).toBe(204)
  return performance.now() - started
}

async function outbox(file: string) {
  const probe = await probeDatabase({ sqlite: file })
  try {
    return await probe.all('select id, to_address, status, attempts, last_error from mail_outbox')
  } finally {
    await probe.close()
  }
}

describe('SMTP slow or down', () => {
  it('slow: requests answer while SMTP holds its reply; every message is delivered once released', async () => {
    const smtp = await smtpOn()
    smtp.hold()
    const { served, file } = await serveWithSmtp(smtp.port)
    const names = ['ann', 'bob', 'cid']
    for (const name of names) await createUser(served, name)

    await requestReset(served, 'ann')
    // SMTP has the first message and is holding its reply: the sender is stuck on it.
    await waitFor('SMTP holds a message', async () => (smtp.heldCount >= 1 ? true : undefined))
    // Requests answer while it is held (each call returning is the proof: SMTP still holds).
    for (const name of ['bob', 'cid']) await requestReset(served, name)
    expect(smtp.heldCount).toBe(1)
    expect(smtp.received).toHaveLength(0)

    smtp.release()
    const delivered = await Promise.all(names.map(() => smtp.next()))
    expect(delivered.map((mail) => mail.to[0]).sort()).toEqual(
      names.map((name) => `${name}@example.com`),
    )
    const rows = await waitFor('the outbox marks all three sent', async () => {
      const all = await outbox(file)
      return all.length === 3 && all.every((row) => row.status === 'sent') ? all : undefined
    })
    expect(rows.map((row) => row.attempts)).toEqual([1, 1, 1])
    expect(smtp.received).toHaveLength(3)
  })

  it('down: requests answer at once; the mail goes out when SMTP is back and the retry is due', async () => {
    const port = await freePort()
    const { served, file } = await serveWithSmtp(port)
    for (const name of ['ann', 'bob']) await createUser(served, name)

    await requestReset(served, 'ann')
    const [failed] = await waitFor('the first attempt fails', async () => {
      const rows = await outbox(file)
      return rows[0]?.last_error != null ? rows : undefined
    })
    expect(failed).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'ESOCKET ECONNREFUSED',
    })

    const smtp = await smtpOn(port)
    // The backoff's 30 s pass in the database rather than in real time: the retry is due now.
    const probe = await probeDatabase({ sqlite: file })
    try {
      await probe.all('update mail_outbox set next_attempt_at = 0 where status = ? returning id', [
        'pending',
      ])
    } finally {
      await probe.close()
    }
    // The next request wakes the sender, which delivers everything due: both messages.
    await requestReset(served, 'bob')
    const delivered = await Promise.all([smtp.next(), smtp.next()])
    expect(delivered.map((mail) => mail.to[0]).sort()).toEqual([
      'ann@example.com',
      'bob@example.com',
    ])
    const rows = await waitFor('both sent', async () => {
      const all = await outbox(file)
      return all.every((row) => row.status === 'sent') ? all : undefined
    })
    expect(rows.map((row) => [row.to_address, row.attempts])).toEqual([
      ['ann@example.com', 2],
      ['bob@example.com', 1],
    ])
    expect(smtp.received).toHaveLength(2)
  })
})
