import { AuthService, loadSettings, PasswordHasher, type Stores } from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { type TesseraPluginOptions, tesseraPlugin } from '@tessera/fastify'
import Fastify from 'fastify'
import { TEST_SIGNING_KEY } from './app-fixture.js'

/** The relying party of the passkey tests: a page on localhost. */
export const RP = { rpId: 'localhost', origin: 'http://localhost:5173' }

/**
 * An app with passkeys for RP `localhost` on a frozen clock, on memory stores unless given
 * others (two apps on one database are two instances).
 */
export async function buildPasskeyApp(
  pluginOptions: Partial<TesseraPluginOptions> = {},
  stores: Stores = createMemoryStores(),
) {
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: TEST_SIGNING_KEY },
  })
  let now = 1_800_000_015
  const auth = new AuthService({
    stores,
    settings,
    clock: () => now,
    hasher: new PasswordHasher({ argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } }),
    passkeys: {
      rpId: RP.rpId,
      rpName: 'Tessera tests',
      origins: [RP.origin],
      userVerification: 'required',
    },
  })
  const app = Fastify({ logger: false })
  await app.register(tesseraPlugin, {
    auth,
    stores,
    settings,
    ...pluginOptions,
    throttleRates: {
      loginUsername: '100/min',
      loginIp: '100/min',
      mfaToken: '100/min',
      mfaUser: '100/min',
    },
  })
  await app.ready()
  return { app, auth, stores, advance: (seconds: number) => (now += seconds) }
}
