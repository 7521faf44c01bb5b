import {
  AuthService,
  type AuthServiceOptions,
  createRevocationSync,
  InProcessRevocationBus,
  loadSettings,
  PasswordHasher,
  type PasswordVerifyFormat,
  RevocationView,
  type SettingsInput,
  type Stores,
} from '@tessera/core'

/** A test clock in epoch seconds that only moves when told to. */
export function frozenClock(start = 1_800_000_000): {
  now: () => number
  advance: (s: number) => void
} {
  let current = start
  return { now: () => current, advance: (seconds) => (current += seconds) }
}

/**
 * {@link makeService} with what a server runs: a revocation view that its verifier asks, kept
 * by a sync over an in-process bus. `close()` stops the sync's timer.
 */
export async function makeServiceWithView(
  stores: Stores,
  options: {
    settings?: SettingsInput
    clock?: () => number
    keyEncryptionKey?: AuthServiceOptions['keyEncryptionKey']
  } = {},
) {
  const clock = options.clock ?? (() => Date.now() / 1000)
  const view = new RevocationView({ clock })
  const bus = new InProcessRevocationBus()
  const sync = await createRevocationSync({
    view,
    store: stores.revocations,
    bus,
    clock,
    reconcileIntervalSeconds: 0,
  })
  const made = makeService(stores, { ...options, clock, revocation: { view, sync } })
  return { ...made, view, bus, sync, close: () => sync.close() }
}

/** An AuthService on the given stores with cheap argon2 parameters and a verify counter. */
export function makeService(
  stores: Stores,
  options: {
    settings?: SettingsInput
    reuseInterval?: number
    clock?: () => number
    revocation?: AuthServiceOptions['revocation']
    keyEncryptionKey?: AuthServiceOptions['keyEncryptionKey']
    passkeys?: AuthServiceOptions['passkeys']
  } = {},
): { auth: AuthService; verifies: PasswordVerifyFormat[]; hasher: PasswordHasher } {
  const verifies: PasswordVerifyFormat[] = []
  const hasher = new PasswordHasher({
    argon2: { memoryCost: 1024, timeCost: 1, parallelism: 1 },
    onVerify: (format) => verifies.push(format),
  })
  const settings = loadSettings({
    env: {},
    configFile: false,
    overrides: { SIGNING_KEY: 'test-signing-key-0123456789abcdef-0123456789', ...options.settings },
  })
  const serviceOptions: AuthServiceOptions = {
    stores,
    settings,
    hasher,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.reuseInterval === undefined ? {} : { reuseInterval: options.reuseInterval }),
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
    ...(options.keyEncryptionKey === undefined
      ? {}
      : { keyEncryptionKey: options.keyEncryptionKey }),
    ...(options.passkeys === undefined ? {} : { passkeys: options.passkeys }),
  }
  return { auth: new AuthService(serviceOptions), verifies, hasher }
}

export const request = { ip: '203.0.113.7', device: 'vitest' }
