import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import type { LightMyRequestResponse } from 'fastify'
import { afterEach, describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'

// Enumeration (issue 31, item 3): the answers security.md and api-contract.md promise alike for
// known, unknown, inactive and throttled users are byte-identical: status, headers (but the
// request's own id and date) and body.
const tempDir = useTempDirs()
const servers: TesseraServer[] = []

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close()
})

const PASSWORD = 'correct horse battery'
let mails: string[] = []

async function build(env: Record<string, string> = {}) {
  mails = []
  const config = loadServerConfig({
    env: {
      TESSERA_SIGNING_KEY: TEST_SIGNING_KEY,
      TESSERA_DATA_DIR: tempDir(),
      TESSERA_THROTTLE_LOGIN_IP: 'none',
      TESSERA_THROTTLE_MAIL_IP: 'none',
      TESSERA_THROTTLE_ANON: 'none',
      ...env,
    },
    configFile: false,
  })
  const server = await buildServer(config, {
    stores: createMemoryStores(),
    logger: false,
    // The console backend's mails, kept: each test checks the answers hid a real difference.
    mailOutput: { write: (text: string) => mails.push(text) },
  })
  servers.push(server)
  const register = async (username: string, email: string) => {
    const response = await post(server, '/api/register/', { username, password: PASSWORD, email })
    expect(response.statusCode, response.body).toBe(201)
    return response.json().id as number
  }
  // ann is active; ina is inactive (deactivated, so she has a real password hash).
  await register('ann', 'ann@example.com')
  const ina = await register('ina', 'ina@example.com')
  await server.stores.users.updateUser(String(ina), { isActive: false })
  return server
}

function post(server: TesseraServer, url: string, payload: unknown) {
  return server.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown> })
}

/** What must be identical: status, headers but the per-request ones, and the body's bytes. */
function answer(response: LightMyRequestResponse, except: readonly string[] = []) {
  const headers = { ...response.headers }
  for (const name of ['date', 'x-request-id', 'request-id', ...except]) delete headers[name]
  return { status: response.statusCode, headers, body: response.body }
}

function expectAllAlike(answers: ReturnType<typeof answer>[]) {
  expect(answers.length).toBeGreaterThan(1)
  for (const each of answers.slice(1)) expect(each).toEqual(answers[0])
}

describe('enumeration: login', () => {
  it.each(['/api/token/', '/auth/jwt/create/'])(
    '%s: a wrong password, an unknown and an inactive user answer byte for byte alike',
    async (url) => {
      const server = await build()
      const answers = []
      for (const credentials of [
        { username: 'ann', password: 'wrong password here' },
        { username: 'nobody', password: 'wrong password here' },
        { username: 'nobody', password: PASSWORD },
        { username: 'ina', password: PASSWORD },
        { username: 'ina', password: 'wrong password here' },
      ]) {
        answers.push(answer(await post(server, url, credentials)))
      }
      expect(answers[0]?.status).toBe(401)
      expect(JSON.parse(answers[0]?.body ?? '')).toEqual({
        detail: 'No active account found with the given credentials',
      })
      expectAllAlike(answers)
      // And the genuine login still works: the test tells success from failure.
      expect((await post(server, url, { username: 'ann', password: PASSWORD })).statusCode).toBe(
        200,
      )
    },
  )

  it('throttled by username: known, inactive and unknown names get the same 429', async () => {
    const server = await build({ TESSERA_THROTTLE_LOGIN_USERNAME: '2/hour' })
    const answers = []
    for (const username of ['ann', 'ina', 'nobody']) {
      for (let i = 0; i < 2; i += 1) {
        await post(server, '/api/token/', { username, password: 'wrong password here' })
      }
      // The right password too: a throttled answer says nothing about it.
      const throttled = await post(server, '/api/token/', { username, password: PASSWORD })
      expect(throttled.statusCode).toBe(429)
      expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(0)
      // Retry-After counts down with the wall clock (the server's clock is not ours to freeze),
      // so it is compared within a second, the rest byte for byte.
      answers.push({
        ...answer(throttled, ['retry-after']),
        retry: throttled.headers['retry-after'],
      })
    }
    const retries = answers.map(({ retry }) => Number(retry))
    expect(Math.max(...retries) - Math.min(...retries)).toBeLessThanOrEqual(1)
    expectAllAlike(answers.map(({ retry: _, ...rest }) => rest))
  })
})

describe('enumeration: mail requests', () => {
  it.each(['/auth/users/reset_password/', '/auth/users/reset_username/'])(
    '%s: 204 alike for a known, an inactive and an unknown address',
    async (url) => {
      const server = await build()
      const answers = []
      for (const email of ['ann@example.com', 'ina@example.com', 'nobody@example.com']) {
        answers.push(answer(await post(server, url, { email })))
      }
      expect(answers[0]?.status).toBe(204)
      expect(answers[0]?.body).toBe('')
      expectAllAlike(answers)
      await expect.poll(() => mails.join('').match(/^To: ann@example\.com$/gm)?.length).toBe(1)
      expect(mails.join('')).not.toMatch(/^To: (ina|nobody)@/m)
    },
  )

  it('resend_activation: 204 alike for an inactive, an active and an unknown address', async () => {
    const server = await build({ TESSERA_SEND_ACTIVATION_EMAIL: 'true' })
    const answers = []
    for (const email of ['ina@example.com', 'ann@example.com', 'nobody@example.com']) {
      answers.push(answer(await post(server, '/auth/users/resend_activation/', { email })))
    }
    expect(answers[0]?.status).toBe(204)
    expectAllAlike(answers)
    // ina's activation mail went out twice (registration, resend); nobody else got one.
    await expect.poll(() => mails.join('').match(/^To: ina@example\.com$/gm)?.length).toBe(2)
    expect(mails.join('')).not.toMatch(/^To: nobody@/m)
  })

  it('throttled by address: the same 429 for a known and an unknown address', async () => {
    const server = await build({ TESSERA_THROTTLE_MAIL_EMAIL: '1/hour' })
    const answers = []
    for (const email of ['ann@example.com', 'ina@example.com', 'nobody@example.com']) {
      expect((await post(server, '/auth/users/reset_password/', { email })).statusCode).toBe(204)
      const throttled = await post(server, '/auth/users/reset_password/', { email })
      expect(throttled.statusCode).toBe(429)
      answers.push({
        ...answer(throttled, ['retry-after']),
        retry: throttled.headers['retry-after'],
      })
    }
    const retries = answers.map(({ retry }) => Number(retry))
    expect(Math.max(...retries) - Math.min(...retries)).toBeLessThanOrEqual(1)
    expectAllAlike(answers.map(({ retry: _, ...rest }) => rest))
  })
})

describe('enumeration: registration', () => {
  // A taken name cannot answer as a free one (the account is created or it is not); what the
  // contract promises is one 400 for every taken name, active or not, in any spelling.
  it.each(['/api/register/', '/auth/users/'])(
    '%s: one answer for a taken name, whoever holds it and however it is spelled',
    async (url) => {
      const server = await build()
      const answers = []
      for (const username of ['ann', 'ina', 'ANN', 'ｉｎａ']) {
        const body: Record<string, string> = {
          username,
          password: PASSWORD,
          email: 'x@example.com',
        }
        if (url === '/auth/users/') body.re_password = PASSWORD
        answers.push(answer(await post(server, url, body)))
      }
      expect(answers[0]?.status).toBe(400)
      expect(JSON.parse(answers[0]?.body ?? '')).toEqual({
        username: ['A user with that username already exists.'],
      })
      expectAllAlike(answers)
    },
  )
})
