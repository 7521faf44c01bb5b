import { textProblems } from './char-field.js'

/** Django's `max_length` of `auth_user.email` (RFC 5321's path limit). */
export const MAX_EMAIL_LENGTH = 254

/** Django's message for an invalid address. */
export const EMAIL_INVALID_MESSAGE = 'Enter a valid email address.'

// Django's EmailValidator, in spirit: a dot-atom or quoted local part, and a domain of
// LDH labels with a non-numeric TLD (or a bracketed IP literal). Kept deliberately simple.
const LOCAL_PART =
  /^(?:[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(?:\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*|"(?:[\x20\x21\x23-\x5b\x5d-\x7e]|\\[\x20-\x7e])*")$/
const DOMAIN =
  /^(?:(?:[A-Za-z0-9\p{L}](?:[A-Za-z0-9\p{L}-]{0,61}[A-Za-z0-9\p{L}])?\.)+[A-Za-z\p{L}-]{2,63}|\[[0-9A-Fa-f:.]+\])$/u

/**
 * Django's `BaseUserManager.normalize_email`: trims, and lowercases the domain part only (the
 * local part may be case-sensitive, RFC 5321 2.4).
 */
export function normalizeEmail(email: string): string {
  const trimmed = email.trim()
  const at = trimmed.lastIndexOf('@')
  if (at < 0) return trimmed
  return `${trimmed.slice(0, at)}@${trimmed.slice(at + 1).toLowerCase()}`
}

/**
 * The key addresses are compared on, case-insensitively: NFKC then a full case fold, as for
 * usernames (`Peter@Example.com` and `peter@example.com` are one address). Django compares with
 * `__iexact`; a key computed here rather than the database's `lower()` (ASCII only on SQLite)
 * keeps every adapter equal.
 */
export function emailKey(email: string): string {
  return normalizeEmail(email).normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC')
}

/** Checks an optional email (empty is allowed, as in Django); returns a message or undefined. */
export function emailProblem(email: unknown): string | undefined {
  if (email === undefined || email === null || email === '') return undefined
  if (typeof email !== 'string') return EMAIL_INVALID_MESSAGE
  const normalized = normalizeEmail(email)
  if (normalized.length > MAX_EMAIL_LENGTH) {
    return `Ensure this field has no more than ${MAX_EMAIL_LENGTH} characters.`
  }
  const at = normalized.lastIndexOf('@')
  if (at <= 0 || at === normalized.length - 1) return EMAIL_INVALID_MESSAGE
  const local = normalized.slice(0, at)
  const domain = normalized.slice(at + 1)
  if (local.length > 64 || !LOCAL_PART.test(local) || !DOMAIN.test(domain)) {
    return EMAIL_INVALID_MESSAGE
  }
  return undefined
}

/**
 * Checks an optional email with DRF's `EmailField` messages in its order: the text validators
 * (a U+0000 or a lone surrogate), then the address itself. Returns `[]` when valid.
 */
export function emailProblems(email: unknown): string[] {
  const text = typeof email === 'string' ? textProblems(email) : []
  const problem = emailProblem(email)
  return problem === undefined ? text : [...text, problem]
}
