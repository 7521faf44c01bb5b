import { NOT_BLANK_PATTERN, textProblems } from '@tessera/core/char-field'
import { Ajv, type ErrorObject, type SchemaValidateFunction } from 'ajv'
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

/** The keyword that runs DRF's text validators (see {@link withTextValidators}). */
const TEXT_KEYWORD = 'drfText'

const drfText: SchemaValidateFunction = (enabled: boolean, text: string) => {
  const problems = enabled ? textProblems(text) : []
  // Ajv adds the instance path; the message travels to fieldErrorsFromAjv in `params`.
  drfText.errors = problems.map((message) => ({ keyword: TEXT_KEYWORD, params: { message } }))
  return problems.length === 0
}

ajv.addKeyword({
  keyword: TEXT_KEYWORD,
  type: 'string',
  schemaType: 'boolean',
  errors: true,
  validate: drfText,
})

/**
 * A copy of `schema` where every string carries {@link TEXT_KEYWORD}: DRF's CharField refuses
 * U+0000 and lone surrogates in every text field, so every string a body schema declares does,
 * without each route having to ask. Bodies whose fields are declared in configuration (register,
 * `PATCH /api/me/`) are checked by the core services with the same `textProblems`.
 */
function withTextValidators(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withTextValidators)
  if (typeof schema !== 'object' || schema === null) return schema
  const copy: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(schema)) copy[key] = withTextValidators(value)
  if (copy.type === 'string') copy[TEXT_KEYWORD] = true
  return copy
}

/**
 * Fastify validator compiler using {@link ajv}. Body strings get DRF's text validators; path
 * parameters and query strings are left as declared (a bad id is a 404, not a field error).
 */
export const drfValidatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) =>
  ajv.compile((httpPart === 'body' ? withTextValidators(schema) : schema) as object) as ReturnType<
    FastifySchemaCompiler<unknown>
  >

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
    } else if (error.keyword === TEXT_KEYWORD) {
      add(field, String(error.params.message))
    } else {
      add(field, 'Invalid value.')
    }
  }
  return fields
}

/**
 * A JSON-schema string field that must be present and non-blank, as DRF's CharField: its
 * `trim_whitespace` makes a whitespace-only value blank (the `pattern`, core's blank rule).
 */
export const requiredString = {
  type: 'string',
  minLength: 1,
  pattern: NOT_BLANK_PATTERN,
  maxLength: 4096,
} as const

/**
 * A password field: the schema twin of core's `passwordFieldProblems`, the one rule of every
 * password field. Empty or whitespace-only is blank, as the reference answers on each of them;
 * anything else is the password exactly as sent. Unlike a username, a handler never trims it:
 * DRF strips before hashing and before checking, which silently changes the secret.
 */
export const passwordField = requiredString
