import { Ajv, type ErrorObject } from 'ajv'
import type { FastifySchemaCompiler } from 'fastify'

/**
 * One Ajv for Tessera's routes, configured for DRF semantics and security.md: no type coercion
 * (a password is a string, never an array or a number), unknown members dropped silently as DRF
 * ignores them, every error reported at once.
 */
const ajv = new Ajv({
  allErrors: true,
  coerceTypes: false,
  removeAdditional: true,
  useDefaults: false,
  strict: false,
})

/** Fastify validator compiler using {@link ajv}. */
export const drfValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema }) =>
  ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>

const TYPE_MESSAGES: Readonly<Record<string, string>> = {
  string: 'Not a valid string.',
  boolean: 'Must be a valid boolean.',
  integer: 'A valid integer is required.',
  number: 'A valid number is required.',
  object: 'Invalid data.',
}

function pythonTypeName(value: unknown): string {
  if (Array.isArray(value)) return 'list'
  if (value === null) return 'NoneType'
  if (typeof value === 'string') return 'str'
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float'
  if (typeof value === 'boolean') return 'bool'
  return 'dict'
}

/**
 * Turns Ajv errors on a request body into DRF's field errors: only the bad keys, each a list of
 * DRF's messages; a body that is not an object gets `non_field_errors` as DRF words it.
 */
export function fieldErrorsFromAjv(
  errors: readonly ErrorObject[],
  body: unknown,
): Record<string, string[]> {
  // DRF's Serializer: `null` is "No data provided", any other non-object names its Python type.
  if (body === null) return { non_field_errors: ['No data provided'] }
  if (typeof body !== 'object' || Array.isArray(body)) {
    return {
      non_field_errors: [`Invalid data. Expected a dictionary, but got ${pythonTypeName(body)}.`],
    }
  }
  const fields: Record<string, string[]> = {}
  const add = (field: string, message: string) => {
    const list = fields[field] ?? []
    if (!list.includes(message)) list.push(message)
    fields[field] = list
  }
  for (const error of errors) {
    if (error.keyword === 'required') {
      add(String(error.params.missingProperty), 'This field is required.')
      continue
    }
    const field = error.instancePath.split('/')[1]
    if (field === undefined || field === '') continue
    const value = (body as Record<string, unknown>)[field]
    if (error.keyword === 'type') {
      add(
        field,
        value === null
          ? 'This field may not be null.'
          : (TYPE_MESSAGES[String(error.params.type)] ?? 'Invalid value.'),
      )
    } else if (error.keyword === 'minLength' || error.keyword === 'pattern') {
      add(field, 'This field may not be blank.')
    } else if (error.keyword === 'maxLength') {
      add(field, `Ensure this field has no more than ${String(error.params.limit)} characters.`)
    } else {
      add(field, 'Invalid value.')
    }
  }
  return fields
}

/**
 * A JSON-schema string field that must be present and non-blank, as DRF's CharField: its
 * `trim_whitespace` makes a whitespace-only value blank (the `pattern`).
 */
export const requiredString = {
  type: 'string',
  minLength: 1,
  pattern: '\\S',
  maxLength: 4096,
} as const
