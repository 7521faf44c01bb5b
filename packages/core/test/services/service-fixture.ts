import {
  AuthService,
  type AuthServiceOptions,
  loadSettings,
  PasswordHasher,
  type PasswordVerifyFormat,
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

/** An AuthService on the given stores with cheap argon2 parameters and a verify counter. */
export function makeService(
  stores: Stores,
  options: { settings?: SettingsInput; reuseInterval?: number; clock?: () => number } = {},
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
  }
  return { auth: new AuthService(serviceOptions), verifies, hasher }
}

export const request = { ip: '203.0.113.7', device: 'vitest' }
