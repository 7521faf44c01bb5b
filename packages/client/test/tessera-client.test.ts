import {
  createClient,
  memoryStorage,
  SessionEndedError,
  TesseraApiError,
  webStorage,
} from '@tessera/client'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { deferred, FakeApi, fakeJwt, reply } from './fake-api.js'

const BASE = 'https://api.example.com'
const UNAUTHORIZED = { detail: 'Given token not valid for any token type', code: 'token_not_valid' }

/** An API whose /api/hello/ wants the current access token, and whose refresh rotates. */
function rotatingApi(options: { refreshGate?: Promise<void> } = {}) {
  const api = new FakeApi()
  let generation = 1
  let current = fakeJwt('access-1')
  api.on('GET', '/api/hello/', (request) =>
    request.headers.get('authorization') === `Bearer ${current}`
      ? reply(200, { msg: 'Hello Peter Parker' })
      : reply(401, UNAUTHORIZED),
  )
  api.on('POST', '/api/token/refresh/', async (request) => {
    await options.refreshGate
    const { refresh } = (await request.json()) as { refresh: string }
    if (refresh !== `refresh-${generation}`) return reply(401, UNAUTHORIZED)
    generation += 1
    current = fakeJwt(`access-${generation}`)
    return reply(200, { access: current, refresh: `refresh-${generation}` })
  })
  return { api }
}

function signedInStorage(access = fakeJwt('stale'), refresh = 'refresh-1') {
  const storage = memoryStorage()
  storage.set({ access, refresh })
  return storage
}

describe('fetch with a bearer session', () => {
  it('refreshes once for 20 concurrent 401s and retries each request once', async () => {
    const gate = deferred()
    const { api } = rotatingApi({ refreshGate: gate.promise })
    const client = createClient({ baseUrl: BASE, fetch: api.fetch, storage: signedInStorage() })
    const calls = Array.from({ length: 20 }, () => client.fetch('/api/hello/'))
    // Let all 20 fail before the refresh answers.
    await vi.waitFor(() => expect(api.count('GET', '/api/hello/')).toBe(20))
    gate.resolve()
    const answers = await Promise.all(calls)
    expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200))
    expect(api.count('POST', '/api/token/refresh/')).toBe(1)
    expect(api.count('GET', '/api/hello/')).toBe(40)
  })

  it('retries the original request once: a second 401 is returned, not refreshed again', async () => {
    const api = new FakeApi()
      .on('GET', '/api/hello/', () => reply(401, UNAUTHORIZED))
      .on('POST', '/api/token/refresh/', () => reply(200, { access: fakeJwt('new') }))
    const client = createClient({ baseUrl: BASE, fetch: api.fetch, storage: signedInStorage() })
    const answer = await client.fetch('/api/hello/')
    expect(answer.status).toBe(401)
    expect(await answer.json()).toEqual(UNAUTHORIZED)
    expect(api.count('POST', '/api/token/refresh/')).toBe(1)
    expect(api.count('GET', '/api/hello/')).toBe(2)
  })

  it('ends the session when the refresh itself is refused, with no loop', async () => {
    const api = new FakeApi()
      .on('GET', '/api/hello/', () => reply(401, UNAUTHORIZED))
      .on('POST', '/api/token/refresh/', () => reply(401, UNAUTHORIZED))
    const onSessionEnd = vi.fn()
    const client = createClient({
      baseUrl: BASE,
      fetch: api.fetch,
      storage: signedInStorage(),
      onSessionEnd,
    })
    expect((await client.fetch('/api/hello/')).status).toBe(401)
    expect(onSessionEnd).toHaveBeenCalledExactlyOnceWith('refresh_failed')
    expect(client.signedIn).toBe(false)
    // Signed out now: a 401 is just returned.
    expect((await client.fetch('/api/hello/')).status).toBe(401)
    expect(api.count('POST', '/api/token/refresh/')).toBe(1)
    await expect(client.me()).rejects.toBeInstanceOf(SessionEndedError)
  })

  it('keeps the session when the refresh cannot reach the server, and says so with the 401', async () => {
    const api = new FakeApi()
      .on('GET', '/api/hello/', () => reply(401, UNAUTHORIZED))
      .on('POST', '/api/token/refresh/', () => reply(503, { detail: 'down' }))
    const onSessionEnd = vi.fn()
    const client = createClient({
      baseUrl: BASE,
      fetch: api.fetch,
      storage: signedInStorage(),
      onSessionEnd,
    })
    expect((await client.fetch('/api/hello/')).status).toBe(401)
    expect(onSessionEnd).not.toHaveBeenCalled()
    expect(client.signedIn).toBe(true)
  })

  it('sends the body of a POST again on the retry', async () => {
    const { api } = rotatingApi()
    const stale = fakeJwt('stale')
    api.on('POST', '/api/notes/', async (request) =>
      request.headers.get('authorization') === `Bearer ${stale}`
        ? reply(401, UNAUTHORIZED)
        : reply(201, await request.json()),
    )
    const client = createClient({
      baseUrl: BASE,
      fetch: api.fetch,
      storage: signedInStorage(stale),
    })
    const answer = await client.fetch('/api/notes/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'hi' }),
    })
    expect(answer.status).toBe(201)
    expect(await answer.json()).toEqual({ text: 'hi' })
  })
})

describe('proactive refresh', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 })
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('refreshes the leeway before expiry, without a request, and again after', async () => {
    const api = new FakeApi()
    let n = 0
    api.on('POST', '/api/token/', () => reply(200, { access: fakeJwt('a0', 300), refresh: 'r0' }))
    api.on('POST', '/api/token/refresh/', () => {
      n += 1
      return reply(200, { access: fakeJwt(`a${n}`, 300), refresh: `r${n}` })
    })
    const client = createClient({ baseUrl: BASE, fetch: api.fetch, refreshLeewaySeconds: 30 })
    await client.login({ username: 'peter', password: 'secret' })
    await vi.advanceTimersByTimeAsync(269_000)
    expect(api.count('POST', '/api/token/refresh/')).toBe(0)
    await vi.advanceTimersByTimeAsync(1_000)
    expect(api.count('POST', '/api/token/refresh/')).toBe(1)
    await vi.advanceTimersByTimeAsync(270_000)
    expect(api.count('POST', '/api/token/refresh/')).toBe(2)
    expect(JSON.parse(api.requests.at(-1)?.body ?? '')).toEqual({ refresh: 'r1' })
    client.close()
  })

  it('refreshes short-lived tokens a quarter of their life early', async () => {
    const api = new FakeApi()
      .on('POST', '/api/token/', () => reply(200, { access: fakeJwt('a', 8), refresh: 'r' }))
      .on('POST', '/api/token/refresh/', () => reply(200, { access: fakeJwt('b', 8) }))
    const client = createClient({ baseUrl: BASE, fetch: api.fetch })
    await client.login({ username: 'peter', password: 'secret' })
    await vi.advanceTimersByTimeAsync(5_999)
    expect(api.count('POST', '/api/token/refresh/')).toBe(0)
    await vi.advanceTimersByTimeAsync(1)
    expect(api.count('POST', '/api/token/refresh/')).toBe(1)
    client.close()
  })
})

describe('login, register, logout', () => {
  it('surfaces the server refusal as a typed error with detail and code', async () => {
    const api = new FakeApi()
      .on('POST', '/api/token/', () =>
        reply(401, { detail: 'No active account found with the given credentials' }),
      )
      .on('POST', '/api/register/', () =>
        reply(400, { username: ['A user with that username already exists.'] }),
      )
      .on('GET', '/api/me/', () =>
        reply(429, { detail: 'Request was throttled.' }, { 'retry-after': '7' }),
      )
    const client = createClient({ baseUrl: BASE, fetch: api.fetch, storage: signedInStorage() })
    const login = await client
      .login({ username: 'peter', password: 'nope' })
      .catch((e: unknown) => e)
    expect(login).toBeInstanceOf(TesseraApiError)
    expect(login).toMatchObject({
      status: 401,
      detail: 'No active account found with the given credentials',
      code: undefined,
    })
    const register = (await client
      .register({ username: 'peter' })
      .catch((e: unknown) => e)) as TesseraApiError
    expect(register.fieldErrors('username')).toEqual(['A user with that username already exists.'])
    await expect(client.me()).rejects.toMatchObject({ status: 429, retryAfterSeconds: 7 })
  })

  it('turns mfa_required into a second step that completes the login', async () => {
    const api = new FakeApi()
      .on('POST', '/api/token/', () =>
        reply(401, {
          detail: 'Multi-factor authentication required.',
          code: 'mfa_required',
          mfa_token: 'mfa-1',
        }),
      )
      .on('POST', '/api/token/mfa/', () =>
        reply(200, { refresh: 'r', access: fakeJwt('a'), device_token: 'tdv1_device' }),
      )
    const client = createClient({ baseUrl: BASE, fetch: api.fetch })
    const step = await client.login({ username: 'peter', password: 'secret' })
    expect(step.mfaRequired).toBe(true)
    expect(client.signedIn).toBe(false)
    if (!step.mfaRequired) throw new Error('expected the second step')
    await step.submitCode('123456', { rememberDevice: true })
    expect(JSON.parse(api.requests.at(-1)?.body ?? '')).toEqual({
      mfa_token: 'mfa-1',
      code: '123456',
      remember_device: true,
    })
    expect(client.signedIn).toBe(true)
    // The trusted device's token goes with the next login, after a logout too.
    api.on('POST', '/api/token/blacklist/', () => reply(200, {}))
    await client.logout()
    await client.login({ username: 'peter', password: 'secret' })
    const next = api.requests.filter((request) => request.path === '/api/token/').at(-1)
    expect(JSON.parse(next?.body ?? '')).toMatchObject({ device_token: 'tdv1_device' })
  })

  it('logs out with the refresh token and the access token, ending the session here', async () => {
    const api = new FakeApi().on('POST', '/api/token/blacklist/', () => reply(200, {}))
    const onSessionEnd = vi.fn()
    const access = fakeJwt('a')
    const client = createClient({
      baseUrl: BASE,
      fetch: api.fetch,
      storage: signedInStorage(access, 'r'),
      onSessionEnd,
    })
    await client.logout()
    const [request] = api.requests
    expect(JSON.parse(request?.body ?? '')).toEqual({ refresh: 'r' })
    expect(request?.headers.get('authorization')).toBe(`Bearer ${access}`)
    expect(client.signedIn).toBe(false)
    expect(onSessionEnd).not.toHaveBeenCalled()
  })
})

describe('cookie transport', () => {
  function cookieApi() {
    let csrf = 'csrf-1'
    const api = new FakeApi()
      .on('GET', '/api/csrf/', () => reply(200, { csrf_token: csrf }))
      .on('POST', '/api/token/', (request) =>
        request.headers.get('x-csrftoken') === csrf
          ? reply(200, { access_expires_at: '2030-01-01T00:00:00.000Z', access_expires_in: 300 })
          : reply(403, { detail: 'CSRF Failed: CSRF token incorrect.', code: 'csrf_failed' }),
      )
      .on('POST', '/api/logout/all/', () => reply(200, {}))
    return { api, rotateCsrf: () => (csrf = 'csrf-2') }
  }

  it('sends no token, includes credentials, and one CSRF token for every unsafe request', async () => {
    const { api } = cookieApi()
    const client = createClient({ baseUrl: BASE, transport: 'cookie', fetch: api.fetch })
    await Promise.all([
      client.login({ username: 'peter', password: 'secret' }),
      client.login({ username: 'peter', password: 'secret' }),
    ])
    expect(api.count('GET', '/api/csrf/')).toBe(1)
    const login = api.requests.find((request) => request.path === '/api/token/')
    expect(login?.headers.get('authorization')).toBeNull()
    expect(client.signedIn).toBe(true)
    await client.logoutAll()
    const all = api.requests.at(-1)
    expect(all?.headers.get('x-csrftoken')).toBe('csrf-1')
    expect(all?.headers.get('authorization')).toBeNull()
  })

  it('fetches a new CSRF token once when the server no longer accepts its own', async () => {
    const { api, rotateCsrf } = cookieApi()
    const client = createClient({ baseUrl: BASE, transport: 'cookie', fetch: api.fetch })
    await client.login({ username: 'peter', password: 'secret' })
    rotateCsrf()
    await client.login({ username: 'peter', password: 'secret' })
    expect(api.count('GET', '/api/csrf/')).toBe(2)
    expect(api.count('POST', '/api/token/')).toBe(3)
  })
})

describe('storage adapters', () => {
  it('keep the session as JSON in a Web Storage, and read garbage as no session', () => {
    const items = new Map<string, string>()
    const storage = webStorage({
      getItem: (key) => items.get(key) ?? null,
      setItem: (key, value) => void items.set(key, value),
      removeItem: (key) => void items.delete(key),
    })
    storage.set({ access: 'a', refresh: 'r' })
    expect(JSON.parse(items.get('tessera.session') ?? '')).toEqual({ access: 'a', refresh: 'r' })
    expect(storage.get()).toEqual({ access: 'a', refresh: 'r' })
    items.set('tessera.session', '{not json')
    expect(storage.get()).toBeNull()
    storage.set(null)
    expect(items.size).toBe(0)
  })
})

describe("djoser's account mail flows", () => {
  it('posts the reset, confirm, activation and resend bodies, and types the refusals', async () => {
    const api = new FakeApi()
      .on('POST', '/auth/users/reset_password/', () => new Response(null, { status: 204 }))
      .on('POST', '/auth/users/reset_password_confirm/', () => new Response(null, { status: 204 }))
      .on('POST', '/auth/users/resend_activation/', () => new Response(null, { status: 204 }))
      .on('POST', '/auth/users/activation/', () =>
        reply(403, { detail: 'Stale token for given user.' }),
      )
    const onSessionEnd = vi.fn()
    const client = createClient({
      baseUrl: BASE,
      fetch: api.fetch,
      storage: signedInStorage(),
      onSessionEnd,
    })
    await client.requestPasswordReset('peter@example.com')
    await client.resendActivation('peter@example.com')
    await client.confirmPasswordReset({ uid: 'MQ', token: 't', new_password: 'n3w-Secret!' })
    // The server ended every session of the user: this one is over here too.
    expect(client.signedIn).toBe(false)
    expect(onSessionEnd).not.toHaveBeenCalled()
    await expect(client.activate({ uid: 'MQ', token: 't' })).rejects.toMatchObject({
      status: 403,
      detail: 'Stale token for given user.',
    })
    expect(api.requests.map((request) => [request.path, JSON.parse(request.body)])).toEqual([
      ['/auth/users/reset_password/', { email: 'peter@example.com' }],
      ['/auth/users/resend_activation/', { email: 'peter@example.com' }],
      [
        '/auth/users/reset_password_confirm/',
        { uid: 'MQ', token: 't', new_password: 'n3w-Secret!' },
      ],
      ['/auth/users/activation/', { uid: 'MQ', token: 't' }],
    ])
  })
})
