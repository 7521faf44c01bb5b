import type { Stores, UserStore } from '@tessera/core'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import {
  BAD_CREDENTIALS,
  bearer,
  expectBody,
  get,
  login,
  PETER,
  postForm,
  postJson,
  type Response,
  registerUser,
  send,
} from './contract-helpers.js'
import { describeOnEveryStore, type OpenedStores } from './store-backends.js'

// DRF's CharField carries ProhibitNullCharactersValidator and ProhibitSurrogateCharactersValidator:
// a U+0000 or a lone surrogate in any text field is a 400 field error (observed on the reference
// server, field by field). PostgreSQL's text type refuses U+0000 and UTF-8 cannot encode a lone
// surrogate (the drivers and the password hasher would store U+FFFD instead), so Tessera must
// refuse both before any store call, whatever the store behind it.

const NUL = 'Null characters are not allowed.'
const surrogate = (codePoint: string) => `Surrogate characters are not allowed: U+${codePoint}.`
const INVALID_USERNAME =
  'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.'
const INVALID_EMAIL = 'Enter a valid email address.'

/**
 * The stores with the user store's calls counted, but for `findUserById`: the authentication of
 * a signed-in request reads its user before any body is looked at. A refused body makes none.
 */
function countingUserStore(stores: Stores): { stores: Stores; calls: () => number } {
  let calls = 0
  const users = new Proxy(stores.users, {
    get(target, name, receiver) {
      const member = Reflect.get(target, name, receiver)
      if (typeof member !== 'function' || name === 'findUserById') return member
      return (...args: unknown[]) => {
        calls++
        return member.apply(target, args)
      }
    },
  }) as UserStore
  return { stores: { ...stores, users }, calls: () => calls }
}

describeOnEveryStore('NUL and lone surrogates in request bodies', (backend) => {
  let opened: OpenedStores
  let context: ContractApp
  let verifies: number
  let userStoreCalls: () => number

  beforeEach(async () => {
    opened = await backend.open()
    const counted = countingUserStore(opened.stores)
    userStoreCalls = counted.calls
    verifies = 0
    context = await buildContractApp({
      stores: counted.stores,
      onVerify: () => verifies++,
      plugin: { slidingTokens: true },
      profileFields: [{ name: 'nickname', type: 'string', maxLength: 20 }],
    })
  })

  afterEach(async () => {
    await context.app.close()
    await opened.close()
  })

  /** Expects a 400 with `body`, and no password hash nor user-store call since `before`. */
  async function expectRefusedEarly(response: Promise<Response>, body: unknown): Promise<void> {
    const before = { verifies, calls: userStoreCalls() }
    expectBody(await response, 400, body)
    expect({ verifies, calls: userStoreCalls() }).toEqual(before)
  }

  describe.each(['/api/token/', '/api/token/sliding/'])('login at %s', (url) => {
    test('a NUL in the username or the password is a field error, before any hash or query', async () => {
      const { app } = context
      await expectRefusedEarly(postJson(app, url, { username: 'pe\u0000ter', password: 'x' }), {
        username: [NUL],
      })
      await expectRefusedEarly(
        postJson(app, url, { username: 'peter', password: 'correct\u0000horse' }),
        { password: [NUL] },
      )
      await expectRefusedEarly(postJson(app, url, { username: '\u0000', password: '' }), {
        username: [NUL],
        password: ['This field may not be blank.'],
      })
      await expectRefusedEarly(postForm(app, url, { username: 'a\u0000b', password: 'x' }), {
        username: [NUL],
      })
    })

    test('a lone surrogate is a field error naming it; a surrogate pair is just a character', async () => {
      const { app } = context
      await expectRefusedEarly(postJson(app, url, { username: 'ab\ud800', password: 'x' }), {
        username: [surrogate('D800')],
      })
      await expectRefusedEarly(
        postJson(app, url, { username: 'peter', password: '\udfffcorrect horse' }),
        { password: [surrogate('DFFF')] },
      )
      expectBody(await postJson(app, url, { username: 'peter', password: '🔐 horse' }), 401, {
        ...BAD_CREDENTIALS,
      })
    })
  })

  test.each([
    ['/api/token/refresh/', 'refresh'],
    ['/api/token/verify/', 'token'],
    ['/api/token/blacklist/', 'refresh'],
    ['/api/token/sliding/refresh/', 'token'],
  ])(
    '%s: a NUL or a lone surrogate in %s is a field error, not a token error',
    async (url, field) => {
      await expectRefusedEarly(postJson(context.app, url, { [field]: 'eyJ\u0000' }), {
        [field]: [NUL],
      })
      await expectRefusedEarly(postJson(context.app, url, { [field]: 'eyJ\udc00' }), {
        [field]: [surrogate('DC00')],
      })
    },
  )

  test('register: every text field, with the messages DRF gives, and no user created', async () => {
    await expectRefusedEarly(
      postJson(context.app, '/api/register/', {
        username: 'pe\u0000ter',
        email: 'peter\u0000@example.com',
        first_name: 'Pe\u0000ter',
        last_name: 'Par\ud800ker',
        password: 'correct horse\u0000battery',
        nickname: 'spidey\u0000',
      }),
      {
        username: [INVALID_USERNAME, NUL],
        email: [NUL, INVALID_EMAIL],
        first_name: [NUL],
        last_name: [surrogate('D800')],
        password: [NUL],
        nickname: [NUL],
      },
    )
    // Alone, a bad name would have reached the store: PostgreSQL's 503, NUL stored elsewhere.
    await expectRefusedEarly(
      postJson(context.app, '/api/register/', { ...PETER, first_name: 'Pe\u0000ter' }),
      { first_name: [NUL] },
    )
    expect(await context.stores.users.listUsers({ limit: 10 })).toEqual([])
  })

  test('PATCH /api/me/: every text field, and the profile is unchanged', async () => {
    const { app } = context
    await registerUser(app, { nickname: 'spidey' })
    const { access } = await login(app)
    const patch = (body: unknown) =>
      send(app, {
        method: 'PATCH',
        url: '/api/me/',
        payload: body as Record<string, unknown>,
        headers: bearer(access),
      })
    await expectRefusedEarly(
      patch({
        email: '\u0000@example.com',
        first_name: '\u0000',
        last_name: 'Parker\u0000',
        nickname: '\ud83d',
      }),
      {
        email: [NUL, INVALID_EMAIL],
        first_name: [NUL],
        last_name: [NUL],
        nickname: [surrogate('D83D')],
      },
    )
    await expectRefusedEarly(patch({ first_name: 'Pe\u0000ter' }), { first_name: [NUL] })
    expect((await get(app, '/api/me/', access)).json()).toMatchObject({
      email: 'peter@example.com',
      first_name: 'Peter',
      last_name: 'Parker',
      nickname: 'spidey',
    })
  })

  test('password change: old and new password, before the old one is verified', async () => {
    const { app } = context
    await registerUser(app)
    const { access } = await login(app)
    const change = (old_password: string, new_password: string) =>
      postJson(app, '/api/password/change/', { old_password, new_password }, bearer(access))
    await expectRefusedEarly(change('correct horse\u0000battery', 'a new\u0000passphrase'), {
      old_password: [NUL],
      new_password: [NUL],
    })
    await expectRefusedEarly(change(PETER.password, 'a new passphrase\ud800'), {
      new_password: [surrogate('D800')],
    })
    expect((await postJson(app, '/api/token/', PETER)).statusCode).toBe(200)
  })

  test('NUL logins spend no login budget: the real user keeps all five attempts', async () => {
    const { app } = context
    await registerUser(app)
    for (let i = 0; i < 10; i++) {
      const response = await postJson(app, '/api/token/', {
        username: 'peter\u0000',
        password: 'x',
      })
      expect(response.statusCode).toBe(400)
    }
    for (let i = 0; i < 5; i++) {
      expectBody(await postJson(app, '/api/token/', { ...PETER, password: 'wrong' }), 401, {
        ...BAD_CREDENTIALS,
      })
    }
    expect(verifies).toBe(5)
    const throttled = await postJson(app, '/api/token/', PETER)
    expect(throttled.statusCode).toBe(429)
    expect(verifies).toBe(5)
  })

  test('a session id with U+0000 is not found, on every store', async () => {
    const { app } = context
    await registerUser(app)
    const { access } = await login(app)
    for (const id of ['a%00b', `${'0'.repeat(31)}%00`]) {
      const response = await send(app, {
        method: 'DELETE',
        url: `/api/sessions/${id}/`,
        headers: bearer(access),
      })
      expectBody(response, 404, { detail: 'Not found.' })
    }
  })
})
