// The 6-bit value of each base64url digit (RFC 4648 section 5), indexed by char code.
const DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const VALUES = new Uint8Array(128)
for (let i = 0; i < DIGITS.length; i++) {
  VALUES[DIGITS.charCodeAt(i)] = i
}

/**
 * True when `text[start, end)`, already known to use only the base64url alphabet, is the one
 * canonical unpadded encoding of its bytes: a length a real encoding can have and zero unused
 * bits in the last character. So a token cannot be re-spelled into a "different" valid token
 * (jose and most libraries accept flipped trailing bits, padding and whitespace).
 */
export function hasCanonicalEnd(text: string, start: number, end: number): boolean {
  const length = end - start
  if (length === 0 || length % 4 === 1) return false
  const last = VALUES[text.charCodeAt(end - 1)] as number
  // 2 trailing chars carry 1 byte (4 unused bits), 3 carry 2 bytes (2 unused bits).
  if (length % 4 === 2) return (last & 0x0f) === 0
  if (length % 4 === 3) return (last & 0x03) === 0
  return true
}

/** Encodes bytes or a UTF-8 string as unpadded base64url. */
export function encodeBase64url(input: string | Uint8Array): string {
  return (typeof input === 'string' ? Buffer.from(input, 'utf8') : Buffer.from(input)).toString(
    'base64url',
  )
}
