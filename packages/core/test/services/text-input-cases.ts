import {
  AuthenticationFailedError,
  type Stores,
  type UserStore,
  ValidationError,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'
import { makeService, request } from './service-fixture.js'

const NUL = 'Null characters are not allowed.'
const BLANK = 'This field may not be blank.'

/** `stores` whose user store counts its calls (a refused input must make none). */
function countingUsers(stores: Stores): { stores: Stores; calls: () => number } {
  let calls = 0
  const users = Object.fromEntries(
    Object.entries(stores.users).map(([name, method]) => [
      name,
      (...args: unknown[]) => {
        calls++
        return (method as (...a: unknown[]) => unknown)(...args)
      },
    ]),
  ) as unknown as UserStore
  return { stores: { ...stores, users }, calls: () => calls }
}

/** The field errors `promise` rejects with (it must reject with a ValidationError). */
async function fieldsOf(promise: Promise<unknown>): Promise<Readonly<Record<string, string[]>>> {
  const error = await promise.catch((e: unknown) => e)
  expect(error).toBeInstanceOf(ValidationError)
  return (error as ValidationError).fields
}

/**
 * The services called directly, as a library user does: text no store can hold as given and
 * blank passwords are DRF's field errors before any hash or store call, on every adapter.
 */
export function describeTextInput(getStores: () => Stores): void {
  const peter = { username: 'peter', password: 'correct horse battery' }

  describe('text input (U+0000, lone surrogates, blank passwords)', () => {
    it('login and authenticate refuse them with field errors, before any verify or query', async () => {
      const counted = countingUsers(getStores())
      const { auth, verifies } = makeService(counted.stores)
      expect(await fieldsOf(auth.login('pe\u0000ter', 'x', request))).toEqual({ username: [NUL] })
      expect(await fieldsOf(auth.authenticate('peter', 'pass\u0000word'))).toEqual({
        password: [NUL],
      })
      expect(await fieldsOf(auth.login('a\ud800', '   ', request))).toEqual({
        username: ['Surrogate characters are not allowed: U+D800.'],
        password: [BLANK],
      })
      expect(await fieldsOf(auth.login('', 'x', request))).toEqual({ username: [BLANK] })
      expect({ verifies: verifies.length, calls: counted.calls() }).toEqual({
        verifies: 0,
        calls: 0,
      })
    })

    it('register refuses them in every field, before any query', async () => {
      const counted = countingUsers(getStores())
      const { auth } = makeService(counted.stores)
      const fields = await fieldsOf(
        auth.register({
          username: 'pe\u0000ter',
          email: 'p\u0000@example.com',
          first_name: '\udfff',
          last_name: 'x\u0000',
          password: 'correct\u0000horse battery',
        }),
      )
      expect(fields).toEqual({
        username: [
          'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
          NUL,
        ],
        email: [NUL, 'Enter a valid email address.'],
        first_name: ['Surrogate characters are not allowed: U+DFFF.'],
        last_name: [NUL],
        password: [NUL],
      })
      expect(await fieldsOf(auth.register({ username: 'blank', password: '          ' }))).toEqual({
        password: [BLANK],
      })
      expect(counted.calls()).toBe(0)
    })

    it('updateProfile and changePassword refuse them, leaving the user unchanged', async () => {
      const stores = getStores()
      const { auth, verifies } = makeService(stores)
      const user = await auth.register({ ...peter, first_name: 'Peter' })
      expect(await fieldsOf(auth.updateProfile(user, { first_name: 'P\u0000' }))).toEqual({
        first_name: [NUL],
      })
      verifies.length = 0
      expect(
        await fieldsOf(auth.changePassword(user, peter.password, 'new\u0000password', request)),
      ).toEqual({ new_password: [NUL] })
      expect(await fieldsOf(auth.changePassword(user, ' ', '\t', request))).toEqual({
        old_password: [BLANK],
        new_password: [BLANK],
      })
      expect(verifies).toEqual([])
      expect(await stores.users.findUserById(user.id)).toEqual(user)
    })

    it('keeps a password with surrounding whitespace exactly: only that string logs in', async () => {
      const { auth } = makeService(getStores())
      const password = ' pass word\t'
      const user = await auth.register({ username: 'spaced', password })
      expect((await auth.login('spaced', password, request)).user.id).toBe(user.id)
      for (const other of [password.trim(), `${password} `]) {
        await expect(auth.login('spaced', other, request)).rejects.toBeInstanceOf(
          AuthenticationFailedError,
        )
      }
    })
  })
}
