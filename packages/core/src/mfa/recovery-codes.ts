import { createHash, randomInt } from 'node:crypto'

/** How many recovery codes an enrolment hands out. */
export const RECOVERY_CODE_COUNT = 10

// RFC 4648's base32 alphabet in lower case: 16 characters carry 80 random bits, beyond any
// offline search of the stored SHA-256 digests, so no slow hash (and no per-code salt) is needed.
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
const LENGTH = 16
const NORMALIZED = /^[a-z2-7]{16}$/

/** `count` new recovery codes, shown to the user once: `abcd-efgh-ijkl-mnop`. */
export function generateRecoveryCodes(count = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = ''
    for (let index = 0; index < LENGTH; index += 1) code += ALPHABET[randomInt(ALPHABET.length)]
    return code.match(/.{4}/g)?.join('-') ?? code
  })
}

/**
 * The digest a recovery code is stored and looked up by (SHA-256, hex), after the forgiving
 * reading people expect (case, spaces and dashes ignored); undefined for text that cannot be a
 * code, which then matches nothing.
 */
export function hashRecoveryCode(code: unknown): string | undefined {
  if (typeof code !== 'string' || code.length > 64) return undefined
  const normalized = code.toLowerCase().replace(/[\s-]/g, '')
  if (!NORMALIZED.test(normalized)) return undefined
  return createHash('sha256').update(normalized).digest('hex')
}
