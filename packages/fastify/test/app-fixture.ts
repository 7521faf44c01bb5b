import { AuthService, loadSettings, PasswordHasher, type SettingsInput } from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { type TesseraPluginOptions, tesseraPlugin } from '@tessera/fastify'
import Fastify, { type FastifyInstance } from 'fastify'

/** The signing key of the test apps (also used to forge tokens in tests). */
export const TEST_SIGNING_KEY = 'fastify-test-signing-key-0123456789abcdef-0123'

/** A Fastify app with the plugin on memory stores and cheap argon2 parameters. */
export async function buildTestApp(
  settingsInput: SettingsInput = {},
  pluginOptions: Partial<TesseraPluginOptions> = {},
): Promise<{ app: FastifyInstance; auth: AuthService }> {
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: TEST_SIGNING_KEY, ...settingsInput },
  })
  const stores = createMemoryStores()
  const auth = new AuthService({
    stores,
    settings,
    hasher: new PasswordHasher({ argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 } }),
  })
  const app = Fastify({ logger: false })
  await app.register(tesseraPlugin, { auth, stores, settings, ...pluginOptions })
  await app.ready()
  return { app, auth }
}

/** Registers Peter Parker and returns his tokens. */
export async function peterParker(
  app: FastifyInstance,
): Promise<{ access: string; refresh: string }> {
  const register = await app.inject({
    method: 'POST',
    url: '/api/register/',
    payload: {
      username: 'peter',
      password: 'correct horse battery',
      first_name: 'Peter',
      last_name: 'Parker',
      email: 'peter@example.com',
    },
  })
  if (register.statusCode !== 201) throw new Error(`register failed: ${register.body}`)
  const login = await app.inject({
    method: 'POST',
    url: '/api/token/',
    payload: { username: 'peter', password: 'correct horse battery' },
  })
  return login.json()
}
