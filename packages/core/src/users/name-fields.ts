import { textProblems } from './char-field.js'

/** Django's `max_length` of `auth_user.first_name` and `last_name`. */
export const MAX_NAME_LENGTH = 150

/**
 * Checks a first or last name as registration and `PATCH /api/me/` do: a string of at most
 * {@link MAX_NAME_LENGTH} characters, then DRF's text validators; returns the messages in DRF's
 * order, or `[]` when valid.
 */
export function nameProblems(value: unknown): string[] {
  if (typeof value !== 'string') return ['Not a valid string.']
  return [
    ...([...value].length > MAX_NAME_LENGTH
      ? [`Ensure this field has no more than ${MAX_NAME_LENGTH} characters.`]
      : []),
    ...textProblems(value),
  ]
}
