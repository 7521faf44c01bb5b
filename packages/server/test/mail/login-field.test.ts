import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig } from '@tessera/server'
import { describe, expect, it } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()

function config(env: Record<string, string> = {}) {
  return loadServerConfig({
    env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY, TESSERA_DATA_DIR: tempDir(), ...env },
    configFile: false,
  })
}

const user = (username: string, email: string) => ({
  username,
  usernameKey: username,
  email,
  firstName: '',
  lastName: '',
  password: null,
  isActive: true,
  isStaff: false,
  isSuperuser: false,
  lastLogin: null,
  dateJoined: 1_800_000_000,
  profile: {},
})

describe('LOGIN_FIELD=email at start', () => {
  it('refuses to start while accounts share an address, naming them by id only', async () => {
    const stores = createMemoryStores()
    await stores.users.createUser(user('ann', 'ann@example.com'))
    await stores.users.createUser(user('bob', 'ANN@Example.com'))
    await stores.users.createUser(user('eve', 'eve@example.com'))
    const failure = await buildServer(config({ TESSERA_LOGIN_FIELD: 'email' }), {
      stores,
      logger: false,
    }).catch((error: unknown) => error as Error)
    expect(failure).toBeInstanceOf(Error)
    expect((failure as Error).message).toMatch(/1 address\(es\) are shared \(users 1, 2\)/)
    expect((failure as Error).message).not.toContain('ann@')
    // The same stores serve with usernames, and with email once each address is unique.
    const byUsername = await buildServer(config(), { stores, logger: false })
    await byUsername.close()
    await stores.users.updateUser('2', { email: 'bob@example.com' })
    const byEmail = await buildServer(config({ TESSERA_LOGIN_FIELD: 'email' }), {
      stores,
      logger: false,
    })
    const login = await byEmail.app.inject({
      method: 'POST',
      url: '/api/token/',
      payload: { email: 'EVE@example.com', password: 'whatever it is' },
    })
    expect(login.statusCode).toBe(401)
    await byEmail.close()
  })
})
