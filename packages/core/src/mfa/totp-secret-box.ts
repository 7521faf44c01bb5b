import {
  decryptPrivateKey,
  encryptPrivateKey,
  type KeyEncryptionKey,
} from '../keys/key-encryption.js'

// The envelope's "kid": binds a sealed secret to its user, so a sealed secret copied onto
// another user's row fails authentication instead of working there.
const label = (userId: string) => `totp-${userId}`

/**
 * A TOTP secret as stored: sealed with the key-encryption key (AES-256-GCM, the envelope of
 * signing keys) when one is configured, plain base32 otherwise.
 */
export function sealTotpSecret(
  secret: string,
  userId: string,
  kek: KeyEncryptionKey | undefined,
): string {
  return kek === undefined ? secret : encryptPrivateKey(secret, label(userId), kek)
}

/**
 * The base32 secret from its stored form; secrets stored before a KEK was configured pass
 * through. Throws `KeyDecryptionError` (without the secret) when the KEK is missing or wrong.
 */
export function openTotpSecret(
  stored: string,
  userId: string,
  kek: KeyEncryptionKey | undefined,
): string {
  return decryptPrivateKey(stored, label(userId), kek)
}
