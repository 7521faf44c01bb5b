import {
  AuthService,
  defineProfileFields,
  loadSettings,
  PasswordHasher,
  type PasswordHasherOptions,
  type PasswordVerifyFormat,
  type ProfileFieldSpec,
  type SettingsInput,
  type Stores,
} from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { type TesseraPluginOptions, tesseraPlugin } from '@tessera/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { TEST_SIGNING_KEY } from './app-fixture.js'

/** What {@link buildContractApp} accepts: app-fixture's inputs plus a hasher and own routes. */
export interface ContractAppOptions {
  readonly settings?: SettingsInput
  readonly plugin?: Partial<TesseraPluginOptions>
  /** Called on every password verify (to prove what ran, and how often). */
  readonly onVerify?: (format: PasswordVerifyFormat) => void
  /** More hasher options (concurrency limits, argon2 costs). */
  readonly hasher?: PasswordHasherOptions
  /** Registers the host application's own routes, after the plugin. */
  readonly routes?: (app: FastifyInstance) => void
  /** The stores behind the app (see store-backends.ts); fresh memory stores when omitted. */
  readonly stores?: Stores
  /** Extra user fields declared in configuration. */
  readonly profileFields?: readonly ProfileFieldSpec[]
}

/** A built contract app and what tests reach behind it. */
export interface ContractApp {
  readonly app: FastifyInstance
  readonly auth: AuthService
  readonly stores: Stores
  readonly hasher: PasswordHasher
}

/**
 * The app of app-fixture.ts (memory stores, cheap argon2, TEST_SIGNING_KEY), built here so a test
 * can pass a counting hasher and add its own routes (a public `/public`, guarded routes) after
 * the plugin, as a host application does.
 */
export async function buildContractApp(options: ContractAppOptions = {}): Promise<ContractApp> {
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: TEST_SIGNING_KEY, ...options.settings },
  })
  const stores = options.stores ?? createMemoryStores()
  const hasher = new PasswordHasher({
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    ...(options.onVerify === undefined ? {} : { onVerify: options.onVerify }),
    ...options.hasher,
  })
  const auth = new AuthService({
    stores,
    settings,
    ...(options.profileFields === undefined
      ? {}
      : { profileFields: defineProfileFields(options.profileFields) }),
    hasher,
  })
  const app = Fastify({ logger: false })
  await app.register(tesseraPlugin, { auth, stores, settings, ...options.plugin })
  options.routes?.(app)
  await app.ready()
  return { app, auth, stores, hasher }
}
