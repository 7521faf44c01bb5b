import { randomBytes } from 'node:crypto'
import type { NewSession, NewUser, Stores } from '@tessera/core'

/** A frozen "now" (epoch seconds, with a fraction to prove floats round-trip). */
export const NOW = 1_700_000_000.25

/** Returns the stores of the running test (set by `beforeEach`). */
export type GetStores = () => Stores

/** A user with defaults; `name` sets username and usernameKey. */
export function newUser(name: string, overrides: Partial<NewUser> = {}): NewUser {
  return {
    username: name,
    usernameKey: name.normalize('NFKC').toLowerCase(),
    email: `${name}@example.com`,
    firstName: 'Ada',
    lastName: 'Lovelace',
    password: 'argon2$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    isActive: true,
    isStaff: false,
    isSuperuser: false,
    lastLogin: null,
    dateJoined: NOW - 86_400,
    profile: { timezone: 'Europe/London', newsletter: false },
    ...overrides,
  }
}

/** 32 lowercase hex, like a family id or a jti. */
export function randomId(): string {
  return randomBytes(16).toString('hex')
}

/** A session of `userId` starting at `at`, its first token valid for `lifetime` seconds. */
export function newSession(
  userId: string,
  at = NOW,
  lifetime = 86_400,
  extra: { device?: string; ip?: string } = {},
): NewSession {
  const id = randomId()
  return {
    session: {
      id,
      userId,
      createdAt: at,
      lastUsedAt: at,
      expiresAt: at + lifetime,
      device: extra.device ?? 'Mozilla/5.0 (X11; Linux x86_64)',
      ip: extra.ip ?? '203.0.113.7',
    },
    token: { jti: randomId(), familyId: id, userId, issuedAt: at, expiresAt: at + lifetime },
  }
}

/** A successor token issued at `at`. */
export function successorAt(at: number, lifetime = 86_400) {
  return { jti: randomId(), issuedAt: at, expiresAt: at + lifetime }
}

/** Creates a user and a session for it; returns both. */
export async function userWithSession(stores: Stores, name: string, at = NOW, lifetime = 86_400) {
  const user = await stores.users.createUser(newUser(name))
  const input = newSession(user.id, at, lifetime)
  await stores.sessions.createSession(input)
  return { user, input }
}
