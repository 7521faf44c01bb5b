import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'
import { linkOf, TestSmtpServer } from './smtp-fixture.js'

// The account mail flows end to end: the server on SQLite, mail over SMTP to a real SMTP server
// in this process, links read from the messages it received.

vi.setConfig({ testTimeout: 30_000 })

const tempDir = useTempDirs()
const servers: TesseraServer[] = []
const smtps: TestSmtpServer[] = []
const PASSWORD = 'correct horse battery'
const NEW_PASSWORD = 'another staple 2026'

afterEach(async () => {
  vi.useRealTimers()
  for (const server of servers.splice(0)) await server.close()
  for (const smtp of smtps.splice(0)) await smtp.close()
})

async function smtpServer(port = 0): Promise<TestSmtpServer> {
  const smtp = new TestSmtpServer()
  await smtp.listen(port)
  smtps.push(smtp)
  return smtp
}

async function build(port: number, env: Record<string, string> = {}) {
  const config = loadServerConfig({
    env: {
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
      TESSERA_DATA_DIR: tempDir(),
      TESSERA_EMAIL_BACKEND: 'smtp',
      TESSERA_EMAIL_HOST: '127.0.0.1',
      TESSERA_EMAIL_PORT: String(port),
      TESSERA_EMAIL_TIMEOUT: '5s',
      TESSERA_DEFAULT_FROM_EMAIL: 'noreply@example.com',
      TESSERA_DOMAIN: 'app.example.com',
      TESSERA_PROTOCOL: 'https',
      TESSERA_SITE_NAME: 'Example',
      ...env,
    },
    configFile: false,
  })
  const server = await buildServer(config, { logger: false })
  servers.push(server)
  return server
}

function post(server: TesseraServer, url: string, payload: unknown, access?: string) {
  return server.app.inject({
    method: 'POST',
    url,
    payload: payload as Record<string, unknown>,
    headers: access === undefined ? {} : { authorization: `Bearer ${access}` },
  })
}

async function createPeter(server: TesseraServer) {
  const created = await post(server, '/auth/users/', {
    username: 'peter',
    email: 'peter@example.com',
    password: PASSWORD,
  })
  expect(created.statusCode).toBe(201)
}

const login = (server: TesseraServer, password = PASSWORD) =>
  post(server, '/auth/jwt/create/', { username: 'peter', password })

describe('account mail over SMTP', () => {
  it('register with activation, read the mail, activate, log in', async () => {
    const smtp = await smtpServer()
    const server = await build(smtp.port, { TESSERA_SEND_ACTIVATION_EMAIL: 'true' })
    await createPeter(server)
    expect((await login(server)).statusCode).toBe(401)
    const mail = await smtp.next()
    expect(mail.to).toEqual(['peter@example.com'])
    expect(mail.from).toBe('noreply@example.com')
    expect(mail.decoded).toContain('Subject: Account activation on Example')
    expect(mail.decoded).toContain('https://app.example.com/account/activate/#MQ/')
    const activated = await post(server, '/auth/users/activation/', linkOf(mail))
    expect(activated.statusCode).toBe(204)
    expect((await login(server)).statusCode).toBe(200)
    // Delivered: the outbox keeps the row, not the link.
    const [row] = await server.stores.mail.list({ limit: 1 })
    expect(row).toMatchObject({ status: 'sent', text: '', html: null })
  })

  it('forget, read the mail, reset: the new password works, old sessions die, the link dies', async () => {
    const smtp = await smtpServer()
    const server = await build(smtp.port)
    await createPeter(server)
    const { access, refresh } = (await login(server)).json()
    const requested = await post(server, '/auth/users/reset_password/', {
      email: 'PETER@example.com',
    })
    expect([requested.statusCode, requested.body]).toEqual([204, ''])
    const mail = await smtp.next()
    expect(mail.decoded).toContain('https://app.example.com/account/password/reset/#MQ/')
    const link = linkOf(mail)
    const reset = await post(server, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: NEW_PASSWORD,
    })
    expect(reset.statusCode).toBe(204)
    expect((await login(server, NEW_PASSWORD)).statusCode).toBe(200)
    expect((await login(server)).statusCode).toBe(401)
    // Every session of the user ended, its access tokens with it, on this process's view.
    expect((await post(server, '/auth/jwt/refresh/', { refresh })).statusCode).toBe(401)
    const me = await server.app.inject({
      method: 'GET',
      url: '/auth/users/me/',
      headers: { authorization: `Bearer ${access}` },
    })
    expect(me.statusCode).toBe(401)
    const again = await post(server, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: 'a third password 77',
    })
    expect([again.statusCode, again.json()]).toEqual([
      400,
      { token: ['Invalid token for given user.'] },
    ])
  })

  it('a link older than PASSWORD_RESET_TIMEOUT fails', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    const smtp = await smtpServer()
    const server = await build(smtp.port, { TESSERA_PASSWORD_RESET_TIMEOUT: '1h' })
    await createPeter(server)
    await post(server, '/auth/users/reset_password/', { email: 'peter@example.com' })
    const link = linkOf(await smtp.next())
    vi.setSystemTime(Date.now() + 3601 * 1000)
    const late = await post(server, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: NEW_PASSWORD,
    })
    expect(late.json()).toEqual({ token: ['Invalid token for given user.'] })
  })

  it('a link issued before a password change fails', async () => {
    const smtp = await smtpServer()
    const server = await build(smtp.port)
    await createPeter(server)
    await post(server, '/auth/users/reset_password/', { email: 'peter@example.com' })
    const link = linkOf(await smtp.next())
    const { access } = (await login(server)).json()
    const changed = await post(
      server,
      '/auth/users/set_password/',
      { current_password: PASSWORD, new_password: NEW_PASSWORD },
      access,
    )
    expect(changed.statusCode).toBe(204)
    const stale = await post(server, '/auth/users/reset_password_confirm/', {
      ...link,
      new_password: 'a third password 77',
    })
    expect(stale.json()).toEqual({ token: ['Invalid token for given user.'] })
  })

  it('SMTP down: the request answers at once; the mail goes out once SMTP is back', async () => {
    vi.useFakeTimers({ toFake: ['Date'] })
    // A port that was free a moment ago: nothing listens there now.
    const probe = await smtpServer()
    const port = probe.port
    await probe.close()
    const server = await build(port)
    await createPeter(server)
    const requested = await post(server, '/auth/users/reset_password/', {
      email: 'peter@example.com',
    })
    expect(requested.statusCode).toBe(204)
    await server.auth.backgroundIdle()
    await server.mailSender.drain()
    const [pending] = await server.stores.mail.list({ limit: 1 })
    expect(pending).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'ESOCKET ECONNREFUSED',
    })
    const events = await server.stores.audit.listEvents({ limit: 5 })
    expect(events.find((event) => event.type === 'mail_failed')?.data).toMatchObject({
      error: 'ESOCKET ECONNREFUSED',
      final: false,
    })

    const smtp = await smtpServer(port)
    // Not before its retry time (30 s after the failure)...
    await server.mailSender.drain()
    expect(smtp.received).toHaveLength(0)
    vi.setSystemTime(Date.now() + 31_000)
    await server.mailSender.drain()
    const mail = await smtp.next()
    expect(mail.decoded).toContain('/account/password/reset/#MQ/')
    expect((await server.stores.mail.list({ limit: 1 }))[0]).toMatchObject({
      status: 'sent',
      attempts: 2,
    })
  })
})
