import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { isDecimalId } from '../stores/store-input.js'
import type { UserRecord } from '../stores/user-store.js'
import { type Clock, systemClock } from '../tokens/token-types.js'

/** What a link token is for: a token of one purpose never passes as another's. */
export type UserTokenPurpose = 'activation' | 'password_reset' | 'username_reset' | 'email_change'

/** Django's `PASSWORD_RESET_TIMEOUT` default: 3 days, in seconds. */
export const DEFAULT_PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

/** Django counts token time in seconds from 2001-01-01 (`_num_seconds(datetime(2001, 1, 1))`). */
const EPOCH_2001 = 978_307_200

/** Options of {@link UserTokenGenerator}. */
export interface UserTokenGeneratorOptions {
  /** The server's secret (Django's `SECRET_KEY`): at least 32 bytes. */
  readonly secret: string | Uint8Array
  /** Seconds a token stays valid. Default 3 days (`PASSWORD_RESET_TIMEOUT`). */
  readonly timeout?: number
  /** Epoch-seconds clock. */
  readonly clock?: Clock
}

/**
 * Django's `PasswordResetTokenGenerator`: `<timestamp base36>-<HMAC-SHA256 hex, every other
 * digit>` over the user's state (id, password hash, last login, email, plus, beyond Django,
 * username and activation), so that a token dies as soon as any of them changes: a reset (new
 * password, and `last_login` moves), an activation, a username change. Nothing is stored; a
 * token is valid until `timeout` seconds after it was made. Compared in constant time. Each
 * purpose has its own key (HMAC key salt), so an activation link cannot reset a password.
 *
 * @example
 * const tokens = new UserTokenGenerator({ secret })
 * const token = tokens.make(user, 'password_reset')
 * tokens.check(user, 'password_reset', token) // true until the password changes
 */
export class UserTokenGenerator {
  readonly #secret: Buffer
  readonly #timeout: number
  readonly #clock: Clock

  constructor(options: UserTokenGeneratorOptions) {
    this.#secret = Buffer.from(options.secret)
    if (this.#secret.length < 32) {
      throw new TypeError('UserTokenGenerator: the secret must be at least 32 bytes')
    }
    this.#timeout = options.timeout ?? DEFAULT_PASSWORD_RESET_TIMEOUT
    if (!Number.isFinite(this.#timeout) || this.#timeout <= 0) {
      throw new TypeError('UserTokenGenerator: timeout must be a positive number of seconds')
    }
    this.#clock = options.clock ?? systemClock
  }

  /** A token for `user` and `purpose`, valid from now for the timeout. */
  make(user: UserRecord, purpose: UserTokenPurpose, extra = ''): string {
    return this.#tokenAt(user, purpose, this.#now(), extra)
  }

  /**
   * Whether `token` was made for this user in this state and purpose, less than the timeout
   * ago. `extra` binds more state (the new address of an email change).
   */
  check(user: UserRecord, purpose: UserTokenPurpose, token: unknown, extra = ''): boolean {
    if (typeof token !== 'string' || token.length > 64) return false
    const match = /^([0-9a-z]{1,13})-[0-9a-f]{32}$/.exec(token)
    if (match === null) return false
    const timestamp = Number.parseInt(match[1] as string, 36)
    if (!Number.isSafeInteger(timestamp)) return false
    const expected = Buffer.from(this.#tokenAt(user, purpose, timestamp, extra))
    const given = Buffer.from(token)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false
    const age = this.#now() - timestamp
    return age >= 0 && age <= this.#timeout
  }

  #now(): number {
    return Math.floor(this.#clock()) - EPOCH_2001
  }

  #tokenAt(user: UserRecord, purpose: UserTokenPurpose, timestamp: number, extra: string): string {
    // Django's salted_hmac: the key is a hash of the salt and the secret.
    const key = createHash('sha256')
      .update(`tessera.UserTokenGenerator.${purpose}`)
      .update(this.#secret)
      .digest()
    const lastLogin = user.lastLogin === null ? '' : String(Math.floor(user.lastLogin))
    // Lengths first: no two different states can concatenate to the same text.
    const state = [
      user.id,
      user.password ?? '',
      lastLogin,
      String(timestamp),
      user.email,
      user.username,
      // Activation links outlive the activation, so that a second use is told "stale" (403),
      // as djoser does; every other purpose dies with a change of activation.
      purpose === 'activation' ? '' : user.isActive ? '1' : '0',
      extra,
    ]
      .map((part) => `${part.length}:${part}`)
      .join('|')
    const digest = createHmac('sha256', key).update(state).digest('hex')
    let half = ''
    for (let index = 0; index < digest.length; index += 2) half += digest[index]
    return `${timestamp.toString(36)}-${half}`
  }
}

/** djoser's `encode_uid`: the id's text as unpadded base64url (`"1"` -> `MQ`). */
export function encodeUid(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url')
}

/** djoser's `decode_uid`: the decimal id, or undefined for anything else. */
export function decodeUid(uid: unknown): string | undefined {
  if (typeof uid !== 'string' || uid.length > 40 || !/^[A-Za-z0-9_-]+$/.test(uid)) return undefined
  const id = Buffer.from(uid, 'base64url').toString('utf8')
  // Only the canonical spelling: `MQ` and `MQ==` differ in text, not in id, so refuse padding
  // and trailing bits that would make two uids of one user.
  return isDecimalId(id) && encodeUid(id) === uid ? id : undefined
}
