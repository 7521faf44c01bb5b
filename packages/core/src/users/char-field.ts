/** DRF's messages for the checks every text field of a request gets, word for word. */
export const CHAR_FIELD_MESSAGES = Object.freeze({
  required: 'This field is required.',
  null: 'This field may not be null.',
  invalid: 'Not a valid string.',
  blank: 'This field may not be blank.',
  nullCharacters: 'Null characters are not allowed.',
})

/**
 * The JSON-schema `pattern` of a non-blank text: a value is blank unless it holds a character
 * other than whitespace (DRF strips before its blank check). {@link isBlank} uses this very
 * pattern, so request schemas and services cannot disagree on what blank means.
 */
export const NOT_BLANK_PATTERN = '\\S'

const NOT_BLANK = new RegExp(NOT_BLANK_PATTERN, 'u')

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
const UNSTORABLE = new RegExp(`\\0|${LONE_SURROGATE.source}`)

/** True when `text` is empty or only whitespace: DRF's blank. */
export function isBlank(text: string): boolean {
  return !NOT_BLANK.test(text)
}

/**
 * True when `text` has neither U+0000 nor a lone surrogate: text every store holds as given, and
 * that {@link textProblems} has nothing to say about.
 */
export function isStorableText(text: string): boolean {
  return !UNSTORABLE.test(text)
}

/**
 * DRF's `ProhibitNullCharactersValidator` and `ProhibitSurrogateCharactersValidator`, which every
 * CharField carries: the messages for a text no store holds as given, in DRF's order, or `[]`.
 * PostgreSQL's `text` refuses U+0000 (a store outage, had it reached the database), and UTF-8
 * cannot encode a lone surrogate: drivers and the password hasher would silently store U+FFFD
 * instead, so `"a\uD800"` and `"a\uDFFF"` would be one password.
 *
 * @example textProblems('a\u0000b') // ['Null characters are not allowed.']
 */
export function textProblems(text: string): string[] {
  if (isStorableText(text)) return []
  const problems: string[] = []
  if (text.includes('\0')) problems.push(CHAR_FIELD_MESSAGES.nullCharacters)
  const surrogate = LONE_SURROGATE.exec(text)
  if (surrogate !== null) {
    const codePoint = surrogate[0].charCodeAt(0).toString(16).toUpperCase()
    problems.push(`Surrogate characters are not allowed: U+${codePoint}.`)
  }
  return problems
}

/**
 * The one rule of every password field: registration, login, sliding login, both fields of the
 * password change and the CLI's prompts. A password that is empty or only whitespace is blank
 * (what DRF answers on each of these fields); any other string is the password exactly as sent,
 * never trimmed: DRF's CharField would strip it before hashing and before checking, which
 * silently changes the secret and locks out every account whose password was set elsewhere with
 * surrounding whitespace (Django's own forms never strip passwords). So whatever registration
 * accepts logs in, and nothing else does. Returns DRF's messages, or `[]` for a usable value.
 */
export function passwordFieldProblems(value: unknown): string[] {
  if (value === undefined) return [CHAR_FIELD_MESSAGES.required]
  if (value === null) return [CHAR_FIELD_MESSAGES.null]
  if (typeof value !== 'string') return [CHAR_FIELD_MESSAGES.invalid]
  if (isBlank(value)) return [CHAR_FIELD_MESSAGES.blank]
  return textProblems(value)
}
