import { createClient, TesseraApiError, type WebAuthnCeremonies } from '@tessera/client'
import type { FastifyInstance } from 'fastify'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { SoftwareAuthenticator } from '../../core/test/passkeys/software-authenticator.js'
import { buildPasskeyApp, RP } from '../../fastify/test/passkey-app.js'

const PASSWORD = 'correct horse battery'

/** `fetch` onto the app through `inject()`: the real routes, no socket. */
function injectFetch(app: FastifyInstance): typeof fetch {
  return async (input, init) => {
    const request = new Request(input, init)
    const url = new URL(request.url)
    const body = request.method === 'GET' ? undefined : await request.text()
    const answer = await app.inject({
      method: request.method as 'GET',
      url: url.pathname + url.search,
      headers: Object.fromEntries(request.headers),
      ...(body === undefined || body === '' ? {} : { payload: body }),
    })
    const headers = new Headers()
    for (const [name, value] of Object.entries(answer.headers)) {
      if (typeof value === 'string') headers.set(name, value)
    }
    const empty = answer.statusCode === 204 || answer.body === ''
    return new Response(empty ? null : answer.body, { status: answer.statusCode, headers })
  }
}

/** The browser's ceremonies played by a software authenticator, counting the calls. */
function softwareCeremonies(authenticator: SoftwareAuthenticator) {
  const calls: string[] = []
  const ceremonies: WebAuthnCeremonies = {
    async startRegistration(options) {
      calls.push('create')
      return { ...authenticator.register(options as never) }
    },
    async startAuthentication(options) {
      calls.push('get')
      return { ...authenticator.assert(options as never) }
    },
  }
  return { ceremonies, calls }
}

describe('@tessera/client passkeys', () => {
  let subject: Awaited<ReturnType<typeof buildPasskeyApp>>
  let authenticator: SoftwareAuthenticator

  beforeEach(async () => {
    subject = await buildPasskeyApp()
    authenticator = new SoftwareAuthenticator(RP)
    const created = await subject.app.inject({
      method: 'POST',
      url: '/api/register/',
      payload: { username: 'alice', password: PASSWORD },
    })
    expect(created.statusCode).toBe(201)
  })
  afterEach(async () => subject.app.close())

  const client = () => {
    const { ceremonies, calls } = softwareCeremonies(authenticator)
    const made = createClient({
      baseUrl: 'http://localhost:5173',
      fetch: injectFetch(subject.app),
      webauthn: ceremonies,
      crossTab: false,
    })
    return { client: made, calls }
  }

  it('registers a passkey, lists, renames and deletes it', async () => {
    const { client: tessera, calls } = client()
    await tessera.login({ username: 'alice', password: PASSWORD })
    const passkey = await tessera.registerPasskey({ name: 'Laptop' })
    expect(passkey).toMatchObject({ name: 'Laptop', backed_up: true, transports: ['internal'] })
    expect(calls).toEqual(['create'])
    expect(await tessera.passkeys()).toEqual([passkey])
    expect(await tessera.renamePasskey(passkey.id, 'Phone')).toMatchObject({ name: 'Phone' })
    await tessera.deletePasskey(passkey.id)
    expect(await tessera.passkeys()).toEqual([])
    tessera.close()
  })

  it('logs in with a passkey and no password, usernameless or by username', async () => {
    const first = client().client
    await first.login({ username: 'alice', password: PASSWORD })
    await first.registerPasskey()
    await first.logout()
    expect(first.signedIn).toBe(false)
    const { client: tessera, calls } = client()
    expect(await tessera.loginWithPasskey()).toEqual({ mfaRequired: false })
    expect(await tessera.me()).toMatchObject({ username: 'alice' })
    await tessera.logout()
    expect(await tessera.loginWithPasskey({ username: 'alice' })).toEqual({ mfaRequired: false })
    expect(calls).toEqual(['get', 'get'])
    first.close()
    tessera.close()
  })

  it('completes a password login with the passkey as second factor', async () => {
    const setup = client().client
    await setup.login({ username: 'alice', password: PASSWORD })
    await setup.registerPasskey()
    const { client: tessera } = client()
    const step = await tessera.login({ username: 'alice', password: PASSWORD })
    if (!step.mfaRequired) throw new Error('expected a second step')
    expect(step.methods).toEqual(['passkey'])
    await step.submitPasskey()
    expect(tessera.signedIn).toBe(true)
    expect(await tessera.me()).toMatchObject({ username: 'alice' })
    setup.close()
    tessera.close()
  })

  it('rejects with the server’s passkey_invalid once the passkey is deleted', async () => {
    const tessera = client().client
    await tessera.login({ username: 'alice', password: PASSWORD })
    const passkey = await tessera.registerPasskey()
    await tessera.deletePasskey(passkey.id)
    await tessera.logout()
    const error = await tessera.loginWithPasskey().catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TesseraApiError)
    expect(error).toMatchObject({ status: 401, code: 'passkey_invalid' })
    expect(tessera.signedIn).toBe(false)
    tessera.close()
  })
})
