import { join } from 'node:path'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { killServedTessera, requireBuiltCli, serveTessera } from '../cli/run-tessera.js'
import { TestSmtpServer } from '../mail/smtp-fixture.js'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { probeDatabase } from './database-probe.js'
import { type Answer, jtiOf, login, PASSWORD, type Pair, send, waitFor } from './fault-fixtures.js'

// Issue 31: SIGTERM (a deploy, a scale-in) while requests are in flight. Logins are slowed the
// deterministic way, by queueing more argon2 hashes than the hasher runs at once; mail requests
// answer first and do their work after. The server must finish every request it accepted,
// write each one's access line, write and deliver the mail they asked for, then exit 0.

const tempDir = useTempDirs()
const LOGINS = 8
const RESETS = 4
const MAX_BURSTS = 5
let smtp: TestSmtpServer

beforeAll(requireBuiltCli)
afterEach(async () => {
  killServedTessera()
  await smtp?.close()
})

function accessLines(output: string, route: string, status: number): number {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { route?: string; status?: number; msg?: string })
    .filter((line) => line.msg === 'request' && line.route === route && line.status === status)
    .length
}

/** Password hashes running or queued in the server, from its metrics. */
async function hashJobs(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text()
  let jobs = 0
  for (const match of text.matchAll(/^tessera_password_hash_jobs\{state="\w+"\} (\d+)$/gm)) {
    jobs += Number(match[1])
  }
  return jobs
}

describe('SIGTERM under load', () => {
  it('requests in flight finish, access lines and the held mail are flushed, nothing is lost', async () => {
    smtp = new TestSmtpServer()
    await smtp.listen()
    const cwd = tempDir()
    const dataDir = join(cwd, 'data')
    const served = await serveTessera([], {
      cwd,
      env: {
        TESSERA_DATA_DIR: dataDir,
        TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
        TESSERA_EMAIL_BACKEND: 'smtp',
        TESSERA_EMAIL_HOST: '127.0.0.1',
        TESSERA_EMAIL_PORT: String(smtp.port),
        TESSERA_DEFAULT_FROM_EMAIL: 'noreply@example.com',
        TESSERA_THROTTLE_LOGIN_USERNAME: '1000/min',
        TESSERA_THROTTLE_LOGIN_IP: '1000/min',
        // The hashing queue's gauge tells when every login is inside the server.
        TESSERA_METRICS_ON_API_PORT: 'true',
      },
    })
    const names = Array.from({ length: RESETS }, (_, i) => `user${i}`)
    for (const name of names) {
      const created = await send(`${served.url}/auth/users/`, {
        username: name,
        email: `${name}@example.com`,
        password: PASSWORD,
      })
      expect(created.status).toBe(201)
    }

    // Mail in flight: SMTP holds its reply, so the outbox cannot empty before the signal.
    smtp.hold()
    const resets = await Promise.all(
      names.map((name) =>
        send(`${served.url}/auth/users/reset_password/`, { email: `${name}@example.com` }),
      ),
    )
    expect(resets.map((answer) => answer.status)).toEqual(Array(RESETS).fill(204))
    // Logins in flight: bursts of more argon2 hashes than the hasher runs at once, until one
    // is caught with every login inside the server (answered, hashing or queued: nothing left
    // in the network) and some still unanswered. A fast machine may finish a burst between two
    // looks; the next burst is looked at again (at most MAX_BURSTS).
    const logins: Promise<Answer>[] = []
    let unanswered = 0
    await waitFor('SMTP holding a message', async () => (smtp.heldCount >= 1 ? true : undefined))
    for (let burst = 0; burst < MAX_BURSTS && unanswered === 0; burst++) {
      let answered = 0
      const current = Array.from({ length: LOGINS }, async (_, i) => {
        const answer = await login(served.url, names[i % RESETS] as string)
        answered += 1
        return answer
      })
      logins.push(...current)
      while (answered < LOGINS) {
        const jobs = await hashJobs(served.url)
        if (jobs > 0 && jobs === LOGINS - answered) {
          unanswered = jobs
          break
        }
      }
      if (unanswered === 0) await Promise.all(current)
    }
    expect(unanswered, `no burst of ${LOGINS} logins caught in flight`).toBeGreaterThan(0)

    const exited = served.stop()
    await waitFor('the server draining', async () =>
      served.output().includes('shutting down: draining requests in flight') ? true : undefined,
    )
    smtp.release()
    const answers = await Promise.all(logins)
    expect(answers.length).toBeGreaterThanOrEqual(LOGINS)
    expect(await exited, served.output().slice(-1500)).toBe(0)

    expect(answers.map((answer) => answer.status)).toEqual(Array(answers.length).fill(200))
    // Every access line was written before the exit.
    const output = served.output()
    expect(accessLines(output, '/api/token/', 200)).toBe(answers.length)
    expect(accessLines(output, '/auth/users/reset_password/', 204)).toBe(RESETS)
    // Every mail asked for was delivered before the exit, once.
    expect(smtp.received.map((mail) => mail.to[0]).sort()).toEqual(
      names.map((name) => `${name}@example.com`),
    )
    const probe = await probeDatabase({ sqlite: join(dataDir, 'tessera.sqlite3') })
    try {
      const outbox = await probe.all('select status from mail_outbox')
      expect(outbox.map((row) => row.status)).toEqual(Array(RESETS).fill('sent'))
      // Every session a 200 handed out is stored.
      for (const answer of answers) {
        const jti = jtiOf((answer.body as unknown as Pair).refresh)
        const rows = await probe.all('select jti from refresh_tokens where jti = ?', [jti])
        expect(rows).toHaveLength(1)
      }
    } finally {
      await probe.close()
    }
  }, 60_000)
})
