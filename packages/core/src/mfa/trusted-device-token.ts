import { createHash, randomBytes } from 'node:crypto'

const PREFIX = 'tdv1_'
const TOKEN = /^tdv1_[A-Za-z0-9_-]{43}$/

/**
 * A new device token (256 random bits) and the digest it is stored under: the store never holds
 * the token, so a read of the database trusts no device.
 */
export function newTrustedDeviceToken(): { readonly token: string; readonly hash: string } {
  const token = `${PREFIX}${randomBytes(32).toString('base64url')}`
  return { token, hash: hashTrustedDeviceToken(token) as string }
}

/** The SHA-256 digest (hex) of a device token, or undefined for text that is not one. */
export function hashTrustedDeviceToken(token: unknown): string | undefined {
  if (typeof token !== 'string' || !TOKEN.test(token)) return undefined
  return createHash('sha256').update(token).digest('hex')
}
