import { afterEach, beforeEach, expect, test } from 'vitest'
import { buildContractApp, type ContractApp } from './contract-app.js'
import { BAD_CREDENTIALS, bearer, expectBody, postJson } from './contract-helpers.js'
import { describeOnEveryStore, type OpenedStores } from './store-backends.js'

// One rule for every password field (registration, login, sliding login, password change): a
// password that is empty or only whitespace is blank, "This field may not be blank." (what the
// reference answers on each of them); any other password is taken exactly as sent, never trimmed,
// so whatever registration accepts logs in, and only that.

const BLANK = 'This field may not be blank.'

/** Passwords with whitespace around or inside them, ASCII and Unicode. */
const PASSWORDS = [
  ' pass word ',
  '\tcorrect horse battery\n',
  'trailing space matters ',
  '  two leading spaces',
  '\u00a0no-break and ideographic spaces\u3000',
]

describeOnEveryStore('password fields', (backend) => {
  let opened: OpenedStores
  let context: ContractApp
  let verifies: number

  beforeEach(async () => {
    opened = await backend.open()
    verifies = 0
    context = await buildContractApp({
      stores: opened.stores,
      onVerify: () => verifies++,
      plugin: {
        slidingTokens: true,
        throttleRates: { loginUsername: null, loginIp: null, register: null },
      },
    })
  })

  afterEach(async () => {
    await context.app.close()
    await opened.close()
  })

  const post = (url: string, body: unknown, access?: string) =>
    postJson(context.app, url, body, access === undefined ? {} : bearer(access))

  test('an empty or whitespace-only password is blank on every password field', async () => {
    for (const password of ['', ' ', '          ', '\t\n\r ', '\u00a0\u3000']) {
      expectBody(await post('/api/register/', { username: 'blanky', password }), 400, {
        password: [BLANK],
      })
      for (const url of ['/api/token/', '/api/token/sliding/']) {
        expectBody(await post(url, { username: 'blanky', password }), 400, { password: [BLANK] })
      }
    }
    expect(await context.stores.users.listUsers({ limit: 10 })).toEqual([])
    expect(verifies).toBe(0)

    await post('/api/register/', { username: 'peter', password: 'correct horse battery' })
    const { access } = (
      await post('/api/token/', {
        username: 'peter',
        password: 'correct horse battery',
      })
    ).json()
    const before = verifies
    expectBody(
      await post('/api/password/change/', { old_password: '   ', new_password: '\t' }, access),
      400,
      { old_password: [BLANK], new_password: [BLANK] },
    )
    expect(verifies).toBe(before)
  })

  test.each(PASSWORDS)(
    'register -> login -> change -> login with %j: kept exactly, never trimmed',
    async (password) => {
      const username = 'spaced'
      expect((await post('/api/register/', { username, password })).statusCode).toBe(201)
      const first = await post('/api/token/', { username, password })
      expect(first.statusCode).toBe(200)
      expect((await post('/api/token/sliding/', { username, password })).statusCode).toBe(200)
      // Another string is another password, even if it differs only in whitespace.
      for (const other of [password.trim(), ` ${password}`, `${password} `]) {
        expectBody(await post('/api/token/', { username, password: other }), 401, BAD_CREDENTIALS)
      }

      const newPassword = ` ${password} renewed\t`
      const change = await post(
        '/api/password/change/',
        { old_password: password, new_password: newPassword },
        first.json().access,
      )
      expect(change.statusCode).toBe(200)
      expectBody(await post('/api/token/', { username, password }), 401, BAD_CREDENTIALS)
      const again = await post('/api/token/', { username, password: newPassword })
      expect(again.statusCode).toBe(200)
      const trimmed = { username, password: newPassword.trim() }
      expectBody(await post('/api/token/', trimmed), 401, BAD_CREDENTIALS)
    },
  )
})
