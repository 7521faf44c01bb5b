import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto'
import { KeyError, SettingsError } from '../errors/config-errors.js'

/** The setting that holds the key-encryption key. */
const SETTING = 'KEY_ENCRYPTION_KEY'

/** The envelope's version tag: the first part of every encrypted private key. */
const ENVELOPE_VERSION = 'tessera-kek-v1'

const IV_BYTES = 12
const TAG_BYTES = 16
const HEX_KEY = /^[0-9a-fA-F]{64}$/
const BASE64URL_KEY = /^[A-Za-z0-9_-]{43}=?$/
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** The KEK bytes, off the object: nothing that prints or serializes a KEK can reach them. */
const KEK_BYTES = new WeakMap<KeyEncryptionKey, Buffer>()

/**
 * A key-encryption key (KEK): 32 bytes that encrypt private signing keys at rest with
 * AES-256-GCM. `id` is a short one-way fingerprint, written into every envelope so that a wrong
 * KEK is named as such instead of failing as a forgery.
 */
export class KeyEncryptionKey {
  /** Fingerprint of the key (11 base64url characters); reveals nothing about the key. */
  readonly id: string

  private constructor(key: Buffer) {
    KEK_BYTES.set(this, key)
    this.id = createHmac('sha256', key).update('tessera kek id v1').digest('base64url').slice(0, 11)
  }

  /**
   * Reads the `KEY_ENCRYPTION_KEY` setting: 32 bytes as base64url (43 characters, padding
   * optional) or hex (64 characters). Anything else throws a {@link SettingsError} naming the
   * setting, never the value.
   *
   * @example
   * // node -e "console.log(require('crypto').randomBytes(32).toString('base64url'))"
   * const kek = KeyEncryptionKey.parse(process.env.TESSERA_KEY_ENCRYPTION_KEY ?? '')
   */
  static parse(text: string): KeyEncryptionKey {
    const value = typeof text === 'string' ? text.trim() : ''
    let bytes: Buffer | undefined
    if (HEX_KEY.test(value)) bytes = Buffer.from(value, 'hex')
    else if (BASE64URL_KEY.test(value)) {
      const decoded = Buffer.from(value, 'base64url')
      // Only the canonical spelling: a last character with stray low bits is a typo.
      if (decoded.toString('base64url') === value.replace(/=$/, '')) bytes = decoded
    }
    if (bytes === undefined || bytes.length !== 32) {
      throw new SettingsError(
        SETTING,
        `${SETTING} must be 32 random bytes as base64url (43 characters) or hex (64 characters); ` +
          "generate one with: node -e \"console.log(require('crypto').randomBytes(32).toString('base64url'))\"",
      )
    }
    return new KeyEncryptionKey(bytes)
  }
}

function kekBytes(kek: KeyEncryptionKey): Buffer {
  const bytes = KEK_BYTES.get(kek)
  if (bytes === undefined)
    throw new TypeError('encryptionKey must come from KeyEncryptionKey.parse')
  return bytes
}

/** Why an encrypted private key could not be read. */
export type KeyEncryptionFailure = 'missing_kek' | 'wrong_kek' | 'tampered' | 'malformed'

/** A stored private key cannot be decrypted. `code` is `key_invalid`; `reason` says why. */
export class KeyDecryptionError extends KeyError {
  readonly kid: string
  readonly reason: KeyEncryptionFailure

  constructor(kid: string, reason: KeyEncryptionFailure, message: string) {
    super(message)
    this.kid = kid
    this.reason = reason
  }
}

/** True when `stored` is an encrypted envelope rather than a plain PEM. */
export function isEncryptedPrivateKey(stored: string): boolean {
  return stored.startsWith(`${ENVELOPE_VERSION}.`)
}

/**
 * The additional authenticated data: the version, the KEK id and the kid, so an envelope copied
 * onto another key's row, or relabelled with another KEK id, fails authentication.
 */
function additionalData(kekId: string, kid: string): Buffer {
  return Buffer.from(`${ENVELOPE_VERSION}.${kekId}.${kid}`, 'utf8')
}

/**
 * Encrypts the PKCS#8 PEM of key `kid` with `kek` (AES-256-GCM, random 12-byte IV, the kid as
 * additional authenticated data) into `tessera-kek-v1.<kekId>.<iv>.<ciphertext>.<tag>`, each
 * part base64url.
 */
export function encryptPrivateKey(pem: string, kid: string, kek: KeyEncryptionKey): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', kekBytes(kek), iv)
  cipher.setAAD(additionalData(kek.id, kid))
  const ciphertext = Buffer.concat([cipher.update(pem, 'utf8'), cipher.final()])
  const tag = cipher.getAuthTag()
  return [ENVELOPE_VERSION, kek.id, iv, ciphertext, tag]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/**
 * The PEM of key `kid` from its stored form: a plain PEM passes through (keys stored before a
 * KEK was configured still load); an envelope needs the KEK it was made with. Throws a
 * {@link KeyDecryptionError} without the KEK, with another KEK, or when the envelope was
 * altered or belongs to another kid.
 */
export function decryptPrivateKey(
  stored: string,
  kid: string,
  kek: KeyEncryptionKey | undefined,
): string {
  if (!isEncryptedPrivateKey(stored)) return stored
  const parts = stored.split('.')
  const [, kekId, iv, ciphertext, tag] = parts
  if (
    parts.length !== 5 ||
    kekId === undefined ||
    iv === undefined ||
    ciphertext === undefined ||
    tag === undefined ||
    ![kekId, iv, ciphertext, tag].every((part) => BASE64URL.test(part))
  ) {
    throw new KeyDecryptionError(
      kid,
      'malformed',
      `key ${kid}: the encrypted private key is malformed`,
    )
  }
  if (kek === undefined) {
    throw new KeyDecryptionError(
      kid,
      'missing_kek',
      `key ${kid} is encrypted: set ${SETTING} to the key-encryption key it was stored with`,
    )
  }
  if (kekId !== kek.id) {
    throw new KeyDecryptionError(
      kid,
      'wrong_kek',
      `key ${kid} was encrypted with another key-encryption key (${kekId}, configured: ${kek.id})`,
    )
  }
  const ivBytes = Buffer.from(iv, 'base64url')
  const tagBytes = Buffer.from(tag, 'base64url')
  if (ivBytes.length !== IV_BYTES || tagBytes.length !== TAG_BYTES) {
    throw new KeyDecryptionError(
      kid,
      'malformed',
      `key ${kid}: the encrypted private key is malformed`,
    )
  }
  const bytes = kekBytes(kek)
  try {
    const decipher = createDecipheriv('aes-256-gcm', bytes, ivBytes, {
      authTagLength: TAG_BYTES,
    })
    decipher.setAAD(additionalData(kekId, kid))
    decipher.setAuthTag(tagBytes)
    const plain = Buffer.concat([
      decipher.update(Buffer.from(ciphertext, 'base64url')),
      decipher.final(),
    ])
    return plain.toString('utf8')
  } catch {
    // GCM says only "unable to authenticate": altered bytes, or an envelope of another kid.
    throw new KeyDecryptionError(
      kid,
      'tampered',
      `key ${kid}: the encrypted private key failed authentication (altered, or copied from another key)`,
    )
  }
}
