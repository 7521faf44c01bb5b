import { textProblems } from './char-field.js'

/** Django's `UnicodeUsernameValidator`: Unicode letters and digits, `_`, `.`, `@`, `+`, `-`. */
const USERNAME_PATTERN = /^[\p{L}\p{N}_.@+-]+$/u

/** Django's `max_length` of `auth_user.username`. */
export const MAX_USERNAME_LENGTH = 150

/** Django's messages, word for word (DRF shows them in field errors). */
export const USERNAME_MESSAGES = Object.freeze({
  required: 'This field is required.',
  blank: 'This field may not be blank.',
  invalid:
    'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
  tooLong: `Ensure this field has no more than ${MAX_USERNAME_LENGTH} characters.`,
  taken: 'A user with that username already exists.',
})

/** NFKC, as Django's `AbstractBaseUser.normalize_username` does before saving. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC')
}

/**
 * The canonical key usernames are unique on: NFKC, then a full case fold, then NFKC again
 * (Unicode's NFKC_Casefold). `Admin`, `ａｄｍｉｎ` and `ADMIN` share one key, so they cannot
 * coexist and each logs in the same account. Upper-then-lower case mapping folds what
 * `toLowerCase` alone misses (`ß` -> `ss`), like Python's `str.casefold`.
 */
export function usernameKey(username: string): string {
  return normalizeUsername(username).toUpperCase().toLowerCase().normalize('NFKC')
}

/** Checks a username as registration does; returns Django's message, or undefined if valid. */
export function usernameProblem(username: unknown): string | undefined {
  if (username === undefined || username === null) return USERNAME_MESSAGES.required
  if (typeof username !== 'string') return USERNAME_MESSAGES.invalid
  if (username.trim() === '') return USERNAME_MESSAGES.blank
  const normalized = normalizeUsername(username)
  if ([...normalized].length > MAX_USERNAME_LENGTH) return USERNAME_MESSAGES.tooLong
  if (!USERNAME_PATTERN.test(normalized)) return USERNAME_MESSAGES.invalid
  return undefined
}

/**
 * Checks a username as DRF's serializer of Django's user model does, every message in its order:
 * Django's (required, blank, length, characters), then DRF's text validators. `[]` when valid.
 */
export function usernameProblems(username: unknown): string[] {
  const problem = usernameProblem(username)
  const text = typeof username === 'string' ? textProblems(username) : []
  return problem === undefined ? text : [problem, ...text]
}
