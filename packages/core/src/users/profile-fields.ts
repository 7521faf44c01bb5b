import { SettingsError } from '../errors/config-errors.js'
import type { JsonValue } from '../tokens/token-types.js'
import { textProblems } from './char-field.js'

/** The value types a declared profile field may have. */
export type ProfileFieldType = 'string' | 'integer' | 'number' | 'boolean' | 'date'

/**
 * One extra user field declared in configuration: the TypeScript answer to Django's custom
 * user model. Values are validated with DRF's messages and stored with the user.
 */
export interface ProfileFieldSpec {
  /** Field name: `[a-z][a-z0-9_]*`, at most 63 characters, not a built-in user field. */
  readonly name: string
  readonly type: ProfileFieldType
  /** Must be present at registration. Default false. */
  readonly required?: boolean
  /** Strings: the longest value allowed, in characters. */
  readonly maxLength?: number
  /** Strings: a regular expression (Unicode mode) the whole value must match. */
  readonly pattern?: string
  /** Numbers: inclusive bounds. */
  readonly min?: number
  readonly max?: number
  /** The only values allowed. */
  readonly choices?: readonly (string | number)[]
  /** Stored when the field is absent at registration. */
  readonly default?: JsonValue
}

/** A checked, ready-to-use list of profile fields. */
export interface ProfileFields {
  readonly specs: readonly ProfileFieldSpec[]
  /**
   * Validates `input`'s profile members. With `partial` (PATCH), absent fields are left alone;
   * otherwise required fields must be present and defaults fill the others. Returns the values
   * or DRF-style field errors (only the bad keys, each a list of messages).
   */
  validate(
    input: Readonly<Record<string, unknown>>,
    options?: { partial?: boolean },
  ): { values: Record<string, JsonValue>; errors: Record<string, string[]> }
}

const BUILT_IN = new Set([
  'id',
  'username',
  'email',
  'first_name',
  'last_name',
  'password',
  'is_active',
  'is_staff',
  'is_superuser',
  'last_login',
  'date_joined',
  'groups',
  'user_permissions',
  'profile',
])
const NAME = /^[a-z][a-z0-9_]{0,62}$/
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/

/** Checks the declarations once, at start-up; a bad one is a {@link SettingsError}. */
export function defineProfileFields(specs: readonly ProfileFieldSpec[]): ProfileFields {
  const seen = new Set<string>()
  const patterns = new Map<string, RegExp>()
  for (const spec of specs) {
    const where = `PROFILE_FIELDS.${String(spec.name)}`
    if (typeof spec.name !== 'string' || !NAME.test(spec.name) || BUILT_IN.has(spec.name)) {
      throw new SettingsError(
        'PROFILE_FIELDS',
        `${where}: name must match [a-z][a-z0-9_]* and not be a built-in user field`,
      )
    }
    if (seen.has(spec.name)) throw new SettingsError('PROFILE_FIELDS', `${where}: declared twice`)
    seen.add(spec.name)
    if (!['string', 'integer', 'number', 'boolean', 'date'].includes(spec.type)) {
      throw new SettingsError(
        'PROFILE_FIELDS',
        `${where}: type must be string, integer, number, boolean or date`,
      )
    }
    if (spec.pattern !== undefined) {
      try {
        patterns.set(spec.name, new RegExp(`^(?:${spec.pattern})$`, 'u'))
      } catch {
        throw new SettingsError(
          'PROFILE_FIELDS',
          `${where}: pattern is not a valid regular expression`,
        )
      }
    }
  }
  const frozen = Object.freeze([...specs])
  return {
    specs: frozen,
    validate(input, options = {}) {
      const values: Record<string, JsonValue> = {}
      const errors: Record<string, string[]> = {}
      for (const spec of frozen) {
        const present = Object.hasOwn(input, spec.name) && input[spec.name] !== undefined
        if (!present) {
          if (options.partial === true) continue
          if (spec.required === true) errors[spec.name] = ['This field is required.']
          else if (spec.default !== undefined) values[spec.name] = spec.default
          continue
        }
        const raw = input[spec.name]
        const result = checkValue(spec, raw, patterns.get(spec.name))
        // DRF's text validators after the field's own message, as on every CharField.
        const text = typeof raw === 'string' ? textProblems(raw) : []
        if (result.ok && text.length === 0) values[spec.name] = result.value
        else errors[spec.name] = result.ok ? text : [result.error, ...text]
      }
      return { values, errors }
    },
  }
}

function checkValue(
  spec: ProfileFieldSpec,
  raw: unknown,
  pattern: RegExp | undefined,
): { ok: true; value: string | number | boolean } | { ok: false; error: string } {
  if (raw === null) return { ok: false, error: 'This field may not be null.' }
  let value: string | number | boolean
  switch (spec.type) {
    case 'string':
    case 'date': {
      if (typeof raw !== 'string') return { ok: false, error: 'Not a valid string.' }
      if (spec.type === 'date' && !isIsoDate(raw)) {
        return {
          ok: false,
          error: 'Date has wrong format. Use one of these formats instead: YYYY-MM-DD.',
        }
      }
      if (spec.required === true && raw.trim() === '')
        return { ok: false, error: 'This field may not be blank.' }
      if (spec.maxLength !== undefined && [...raw].length > spec.maxLength) {
        return {
          ok: false,
          error: `Ensure this field has no more than ${spec.maxLength} characters.`,
        }
      }
      if (pattern !== undefined && !pattern.test(raw)) {
        return { ok: false, error: 'This value does not match the required pattern.' }
      }
      value = raw
      break
    }
    case 'integer':
      if (typeof raw !== 'number' || !Number.isSafeInteger(raw))
        return { ok: false, error: 'A valid integer is required.' }
      value = raw
      break
    case 'number':
      if (typeof raw !== 'number' || !Number.isFinite(raw))
        return { ok: false, error: 'A valid number is required.' }
      value = raw
      break
    case 'boolean':
      if (typeof raw !== 'boolean') return { ok: false, error: 'Must be a valid boolean.' }
      value = raw
      break
  }
  if (typeof value === 'number') {
    if (spec.max !== undefined && value > spec.max) {
      return { ok: false, error: `Ensure this value is less than or equal to ${spec.max}.` }
    }
    if (spec.min !== undefined && value < spec.min) {
      return { ok: false, error: `Ensure this value is greater than or equal to ${spec.min}.` }
    }
  }
  if (spec.choices !== undefined && !spec.choices.includes(value as string | number)) {
    return { ok: false, error: `"${String(value)}" is not a valid choice.` }
  }
  return { ok: true, value }
}

function isIsoDate(text: string): boolean {
  if (!ISO_DATE.test(text)) return false
  const date = new Date(`${text}T00:00:00Z`)
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text)
}
