import { type FieldErrors, ValidationError } from '../errors/request-errors.js'
import type { JsonValue } from '../tokens/token-types.js'
import { emailProblems, normalizeEmail } from '../users/email.js'
import { nameProblems } from '../users/name-fields.js'
import { normalizeUsername, usernameKey, usernameProblems } from '../users/username.js'
import type { ServiceContext } from './service-context.js'

/** The user fields a staff member may set (Django's admin form, Django's names). */
export interface AdminUserFields {
  username?: string
  usernameKey?: string
  email?: string
  firstName?: string
  lastName?: string
  isActive?: boolean
  isStaff?: boolean
  isSuperuser?: boolean
  profile?: Record<string, JsonValue>
}

const FLAGS = [
  ['is_active', 'isActive'],
  ['is_staff', 'isStaff'],
  ['is_superuser', 'isSuperuser'],
] as const

const NAMES = [
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
] as const

/**
 * Reads the user fields of an admin create or update body into store fields, with DRF field
 * errors for the bad ones (all of them at once). `partial` (PATCH) leaves absent fields alone;
 * otherwise `username` is required and profile defaults apply. Fields other than these and the
 * declared profile fields are ignored, as a DRF serializer ignores unknown members.
 */
export function readAdminUserFields(
  context: ServiceContext,
  input: Readonly<Record<string, unknown>>,
  partial: boolean,
  errors: FieldErrors = {},
): AdminUserFields {
  const fields: AdminUserFields = {}
  if (input.username !== undefined || !partial) {
    const problems = usernameProblems(input.username)
    if (problems.length > 0) errors.username = problems
    else {
      fields.username = normalizeUsername(input.username as string)
      fields.usernameKey = usernameKey(fields.username)
    }
  }
  if (input.email !== undefined) {
    const problems = emailProblems(input.email)
    if (problems.length > 0) errors.email = problems
    else fields.email = normalizeEmail(String(input.email ?? ''))
  }
  for (const [name, key] of NAMES) {
    const value = input[name]
    if (value === undefined) continue
    const problems = nameProblems(value)
    if (problems.length > 0) errors[name] = problems
    else fields[key] = value as string
  }
  for (const [name, key] of FLAGS) {
    const value = input[name]
    if (value === undefined) continue
    // DRF's BooleanField message; the JSON booleans only, no "yes"/"1" guessing.
    if (typeof value !== 'boolean') errors[name] = ['Must be a valid boolean.']
    else fields[key] = value
  }
  const profile = context.profileFields?.validate(input, { partial }) ?? { values: {}, errors: {} }
  Object.assign(errors, profile.errors)
  if (Object.keys(profile.values).length > 0 || !partial) fields.profile = profile.values
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
  return fields
}

/** The names of the fields an update changes, Django's spelling, for the audit row. */
export function changedFieldNames(fields: AdminUserFields): string[] {
  const names: Record<keyof AdminUserFields, string | undefined> = {
    username: 'username',
    usernameKey: undefined,
    email: 'email',
    firstName: 'first_name',
    lastName: 'last_name',
    isActive: 'is_active',
    isStaff: 'is_staff',
    isSuperuser: 'is_superuser',
    profile: 'profile',
  }
  return (Object.keys(fields) as (keyof AdminUserFields)[])
    .map((key) => names[key])
    .filter((name) => name !== undefined)
}
