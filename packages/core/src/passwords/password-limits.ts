/**
 * Longest password Tessera hashes, verifies or accepts, in UTF-8 bytes. Longer passwords are
 * rejected, never truncated: truncation (bcrypt's 72 bytes) silently weakens long passphrases,
 * and an unbounded length lets one request buy unbounded hashing work.
 */
export const MAX_PASSWORD_BYTES = 1024

/** Whether `password` encodes to more than {@link MAX_PASSWORD_BYTES} UTF-8 bytes. */
export function isPasswordTooLong(password: string): boolean {
  // Each UTF-16 unit encodes to 1..3 UTF-8 bytes, so most strings are decided without encoding
  // them; a huge string is never walked just to be rejected.
  if (password.length * 3 <= MAX_PASSWORD_BYTES) return false
  if (password.length > MAX_PASSWORD_BYTES) return true
  return Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES
}
