import { defaultCommonPasswords } from './common-passwords.js'
import { isPasswordTooLong, MAX_PASSWORD_BYTES } from './password-limits.js'
import { quickSimilarity } from './sequence-similarity.js'

/** Stable codes of {@link PasswordProblem}, the same as Django's `ValidationError` codes. */
export type PasswordProblemCode =
  | 'password_too_long'
  | 'password_too_similar'
  | 'password_too_short'
  | 'password_too_common'
  | 'password_entirely_numeric'

/** One reason a new password is refused, with Django's English message. */
export interface PasswordProblem {
  readonly code: PasswordProblemCode
  readonly message: string
}

/** User fields a password must not resemble (Django's `DEFAULT_USER_ATTRIBUTES`). */
export interface PasswordUserAttributes {
  username?: string | null
  email?: string | null
  first_name?: string | null
  last_name?: string | null
}

/** Options of {@link validatePassword}. */
export interface PasswordValidationOptions {
  /** Fewest characters (code points). Default 8. */
  minLength?: number
  /** Similarity to a user attribute, 0.1 to 1, at which a password is refused. Default 0.7. */
  maxSimilarity?: number
  /**
   * Lowercase, trimmed passwords to refuse. Default: {@link defaultCommonPasswords}.
   */
  commonPasswords?: ReadonlySet<string>
}

// Django's order, with the verbose names of its User model fields.
const USER_ATTRIBUTES = [
  ['username', 'username'],
  ['first_name', 'first name'],
  ['last_name', 'last name'],
  ['email', 'email address'],
] as const

// Python's \W: anything but letters, numbers and '_' (checked against CPython's Unicode tables).
const NON_WORD = /[^\p{L}\p{N}_]+/u
// Python's str.isdigit(): decimal digits plus the Numeric_Type=Digit characters outside Nd
// (superscripts, circled digits...), as listed by Unicode 14's UnicodeData.
const ALL_DIGITS =
  /^[\p{Nd}\u00B2\u00B3\u00B9\u1369-\u1371\u19DA\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247C\u2488-\u2490\u24EA\u24F5-\u24FD\u24FF\u2776-\u277E\u2780-\u2788\u278A-\u2792\u{10A40}-\u{10A43}\u{10E60}-\u{10E68}\u{11052}-\u{1105A}\u{1F100}-\u{1F10A}]+$/u

/**
 * Checks a new password the way Django's four default validators do, in Django's order
 * (user-attribute similarity, minimum length, common passwords, entirely numeric), after
 * Tessera's 1024-byte cap. Returns every problem found, with Django's codes and English
 * messages; an empty array means the password is acceptable. A password over the cap gets only
 * `password_too_long`, so no validator works on an unbounded input.
 *
 * @throws {RangeError} `minLength` or `maxSimilarity` is out of range.
 * @example
 * ```ts
 * validatePassword('password', { username: 'alice' })
 * // [{ code: 'password_too_common', message: 'This password is too common.' }]
 * ```
 */
export function validatePassword(
  password: string,
  user?: PasswordUserAttributes,
  options: PasswordValidationOptions = {},
): PasswordProblem[] {
  const minLength = options.minLength ?? 8
  if (!Number.isInteger(minLength) || minLength < 0) {
    throw new RangeError('minLength must be an integer >= 0')
  }
  const maxSimilarity = options.maxSimilarity ?? 0.7
  // Django refuses below 0.1 too: at 0 every password would be "too similar".
  if (!(maxSimilarity >= 0.1 && maxSimilarity <= 1)) {
    throw new RangeError('maxSimilarity must be a number from 0.1 to 1')
  }
  if (typeof password !== 'string') throw new TypeError('password must be a string')
  if (isPasswordTooLong(password)) {
    return [
      {
        code: 'password_too_long',
        message: `This password is too long. It must contain at most ${MAX_PASSWORD_BYTES} bytes.`,
      },
    ]
  }

  const problems: PasswordProblem[] = []
  const similar = similarAttribute(password, user, maxSimilarity)
  if (similar !== undefined) {
    problems.push({
      code: 'password_too_similar',
      message: `The password is too similar to the ${similar}.`,
    })
  }
  if (Array.from(password).length < minLength) {
    const unit = minLength === 1 ? 'character' : 'characters'
    problems.push({
      code: 'password_too_short',
      message: `This password is too short. It must contain at least ${minLength} ${unit}.`,
    })
  }
  const common = options.commonPasswords ?? defaultCommonPasswords()
  if (common.has(password.toLowerCase().trim())) {
    problems.push({ code: 'password_too_common', message: 'This password is too common.' })
  }
  if (ALL_DIGITS.test(password)) {
    problems.push({
      code: 'password_entirely_numeric',
      message: 'This password is entirely numeric.',
    })
  }
  return problems
}

/** Verbose name of the first user attribute `password` is too similar to, as Django finds it. */
function similarAttribute(
  password: string,
  user: PasswordUserAttributes | undefined,
  maxSimilarity: number,
): string | undefined {
  if (user === undefined || user === null) return undefined
  const lowered = password.toLowerCase()
  const passwordLength = Array.from(lowered).length
  for (const [attribute, verboseName] of USER_ATTRIBUTES) {
    const value = user[attribute]
    if (typeof value !== 'string' || value === '') continue
    const valueLowered = value.toLowerCase()
    // The whole value and each word of it: "jane.doe@example.com" also checks "jane", "doe"...
    for (const part of [...valueLowered.split(NON_WORD), valueLowered]) {
      if (isFarShorter(passwordLength, Array.from(part).length, maxSimilarity)) continue
      if (quickSimilarity(lowered, part) >= maxSimilarity) return verboseName
    }
  }
  return undefined
}

/**
 * Django skips a part at most a tenth as long as the password and under `maxSimilarity / 2` of
 * it: such a part scores at most 2/11 anyway, and skipping bounds the work on long passwords
 * (CVE-2021-45115).
 */
function isFarShorter(passwordLength: number, partLength: number, maxSimilarity: number): boolean {
  return passwordLength >= 10 * partLength && partLength < (maxSimilarity / 2) * passwordLength
}
