// Private keys at rest: AES-256-GCM under a key-encryption key (KEK), bound to the kid. A wrong KEK
// is named as such, any alteration or move to another kid fails, and no KEK value ever appears in
// an error.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import {
  decryptPrivateKey,
  encryptPrivateKey,
  isEncryptedPrivateKey,
  KeyDecryptionError,
  KeyEncryptionKey,
  KeyError,
  SettingsError,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

const PEM = generateKeyPairSync('ed25519')
  .privateKey.export({ format: 'pem', type: 'pkcs8' })
  .toString()
const KID = 'kid-one'
const RAW = randomBytes(32)
const KEK = KeyEncryptionKey.parse(RAW.toString('base64url'))
const OTHER = KeyEncryptionKey.parse(randomBytes(32).toString('hex'))

function failure(fn: () => unknown): KeyDecryptionError {
  try {
    fn()
  } catch (error) {
    expect(error).toBeInstanceOf(KeyDecryptionError)
    expect(error).toBeInstanceOf(KeyError)
    expect((error as KeyError).code).toBe('key_invalid')
    return error as KeyDecryptionError
  }
  throw new Error('expected a KeyDecryptionError')
}

/** Replaces part `index` of an envelope (0 version, 1 KEK id, 2 iv, 3 ciphertext, 4 tag). */
function withPart(envelope: string, index: number, change: (part: string) => string): string {
  const parts = envelope.split('.')
  parts[index] = change(parts[index] ?? '')
  return parts.join('.')
}

/** Flips the low bit of the first byte of a base64url part. */
function flipFirstByte(part: string): string {
  const bytes = Buffer.from(part, 'base64url')
  bytes[0] = (bytes[0] ?? 0) ^ 1
  return bytes.toString('base64url')
}

describe('KeyEncryptionKey.parse', () => {
  it('reads 32 bytes as base64url (with or without padding) or hex, with one id per key', () => {
    const ids = [
      KeyEncryptionKey.parse(RAW.toString('base64url')).id,
      KeyEncryptionKey.parse(`${RAW.toString('base64url')}=`).id,
      KeyEncryptionKey.parse(RAW.toString('hex')).id,
      KeyEncryptionKey.parse(RAW.toString('hex').toUpperCase()).id,
      KeyEncryptionKey.parse(`  ${RAW.toString('hex')}\n`).id,
    ]
    expect(new Set(ids)).toEqual(new Set([KEK.id]))
    expect(KEK.id).toMatch(/^[A-Za-z0-9_-]{11}$/)
    expect(OTHER.id).not.toBe(KEK.id)
  })

  const bad: [string, string][] = [
    ['empty', ''],
    ['a passphrase', 'correct horse battery staple!'],
    ['31 bytes of base64url', randomBytes(31).toString('base64url')],
    ['33 bytes of base64url', randomBytes(33).toString('base64url')],
    ['63 hex digits', randomBytes(32).toString('hex').slice(1)],
    ['33 bytes of hex', randomBytes(33).toString('hex')],
    ['64 characters that are not hex', `${randomBytes(32).toString('hex').slice(2)}zz`],
    ['standard base64 with + and /', `+/${randomBytes(32).toString('base64url').slice(2)}`],
    ['a 32-character ASCII secret', 'abcdefghijklmnopqrstuvwxyz012345'],
    ['non-canonical base64url', `${RAW.toString('base64url').slice(0, 42)}B`],
  ]
  for (const [name, value] of bad) {
    it(`refuses ${name} with a SettingsError naming KEY_ENCRYPTION_KEY, not the value`, () => {
      let caught: unknown
      try {
        KeyEncryptionKey.parse(value)
      } catch (error) {
        caught = error
      }
      expect(caught).toBeInstanceOf(SettingsError)
      const error = caught as SettingsError
      expect(error.setting).toBe('KEY_ENCRYPTION_KEY')
      expect(error.code).toBe('settings_invalid')
      expect(error.message).toContain('KEY_ENCRYPTION_KEY')
      if (value.trim() !== '') expect(error.message).not.toContain(value.trim().slice(0, 12))
    })
  }

  it('keeps the key bytes out of inspection and serialization', () => {
    for (const shown of [inspect(KEK, { showHidden: true, depth: 5 }), JSON.stringify(KEK)]) {
      expect(shown).not.toContain(RAW.toString('hex'))
      expect(shown).not.toContain(RAW.toString('base64url'))
    }
  })
})

describe('encryptPrivateKey / decryptPrivateKey', () => {
  it('round-trips a PEM through a versioned envelope with a fresh IV each time', () => {
    const first = encryptPrivateKey(PEM, KID, KEK)
    const second = encryptPrivateKey(PEM, KID, KEK)
    expect(first).toMatch(
      /^tessera-kek-v1\.[A-Za-z0-9_-]{11}\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/,
    )
    expect(first.split('.')[1]).toBe(KEK.id)
    expect(first).not.toBe(second)
    expect(first).not.toContain('PRIVATE KEY')
    expect(isEncryptedPrivateKey(first)).toBe(true)
    expect(decryptPrivateKey(first, KID, KEK)).toBe(PEM)
    expect(decryptPrivateKey(second, KID, KEK)).toBe(PEM)
  })

  it('passes a plain PEM through, with or without a KEK (keys stored before the KEK)', () => {
    expect(isEncryptedPrivateKey(PEM)).toBe(false)
    expect(decryptPrivateKey(PEM, KID, KEK)).toBe(PEM)
    expect(decryptPrivateKey(PEM, KID, undefined)).toBe(PEM)
  })

  it('names a wrong KEK as such instead of failing as a forgery', () => {
    const error = failure(() => decryptPrivateKey(encryptPrivateKey(PEM, KID, KEK), KID, OTHER))
    expect(error.reason).toBe('wrong_kek')
    expect(error.kid).toBe(KID)
    expect(error.message).toContain(`key ${KID} was encrypted with another key-encryption key`)
  })

  it('refuses an encrypted key without a KEK, saying which setting is missing', () => {
    const error = failure(() => decryptPrivateKey(encryptPrivateKey(PEM, KID, KEK), KID, undefined))
    expect(error.reason).toBe('missing_kek')
    expect(error.message).toContain('KEY_ENCRYPTION_KEY')
  })

  it('refuses an envelope moved onto another kid', () => {
    const envelope = encryptPrivateKey(PEM, KID, KEK)
    const error = failure(() => decryptPrivateKey(envelope, 'kid-two', KEK))
    expect(error.reason).toBe('tampered')
    expect(error.kid).toBe('kid-two')
  })

  for (const [name, index] of [
    ['IV', 2],
    ['ciphertext', 3],
    ['tag', 4],
  ] as const) {
    it(`refuses an envelope with an altered ${name}`, () => {
      const altered = withPart(encryptPrivateKey(PEM, KID, KEK), index, flipFirstByte)
      expect(failure(() => decryptPrivateKey(altered, KID, KEK)).reason).toBe('tampered')
    })
  }

  it('refuses an envelope relabelled with another KEK id (the id is authenticated too)', () => {
    const relabelled = withPart(encryptPrivateKey(PEM, KID, KEK), 1, () => OTHER.id)
    expect(failure(() => decryptPrivateKey(relabelled, KID, OTHER)).reason).toBe('tampered')
  })

  it('refuses malformed envelopes: missing parts, bad characters, short IV or tag', () => {
    const envelope = encryptPrivateKey(PEM, KID, KEK)
    const malformed = [
      envelope.split('.').slice(0, 4).join('.'),
      `${envelope}.extra`,
      withPart(envelope, 3, (part) => `${part}!`),
      withPart(envelope, 2, (part) => part.slice(0, 8)),
      withPart(envelope, 4, (part) => part.slice(0, 10)),
      'tessera-kek-v1.',
    ]
    for (const stored of malformed) {
      expect(failure(() => decryptPrivateKey(stored, KID, KEK)).reason).toBe('malformed')
    }
  })

  it('never puts the KEK or the private key in an error message', () => {
    const envelope = encryptPrivateKey(PEM, KID, KEK)
    const errors = [
      failure(() => decryptPrivateKey(envelope, KID, OTHER)),
      failure(() => decryptPrivateKey(envelope, 'kid-two', KEK)),
      failure(() => decryptPrivateKey(envelope, KID, undefined)),
      failure(() => decryptPrivateKey(withPart(envelope, 3, flipFirstByte), KID, KEK)),
    ]
    for (const error of errors) {
      const text = `${error.message} ${JSON.stringify(error)} ${String(error.cause ?? '')}`
      expect(text).not.toContain(RAW.toString('hex'))
      expect(text).not.toContain(RAW.toString('base64url'))
      expect(text).not.toContain('PRIVATE KEY')
      expect(text).not.toContain(envelope.split('.')[3]?.slice(0, 16))
    }
  })
})
