import {
  defineProfileFields,
  type ProfileFieldSpec,
  type SettingSpec,
  SettingsError,
} from '@tessera/core'
import { defineSpec, type SpecBase } from './spec-builders.js'

const KEYS = new Set([
  'name',
  'type',
  'required',
  'maxLength',
  'pattern',
  'min',
  'max',
  'choices',
  'default',
])
const FORM =
  'a JSON list of field declarations such as [{"name":"phone","type":"string","maxLength":20}]'

/**
 * The `PROFILE_FIELDS` spec: a list of {@link ProfileFieldSpec} (a JSON list in the env),
 * checked by core's `defineProfileFields`; unknown members of a declaration are refused so that
 * a misspelt `maxlength` does not silently do nothing.
 */
export function profileFieldsSpec(
  base: SpecBase<readonly ProfileFieldSpec[]>,
): SettingSpec<readonly ProfileFieldSpec[]> {
  const parse = (raw: unknown): readonly ProfileFieldSpec[] => {
    if (!Array.isArray(raw)) throw new SettingsError(base.name, `${base.name} must be ${FORM}`)
    raw.forEach((item: unknown, index) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new SettingsError(base.name, `${base.name}[${index}] must be an object; ${FORM}`)
      }
      const unknown = Object.keys(item).find((key) => !KEYS.has(key))
      if (unknown !== undefined) {
        throw new SettingsError(
          base.name,
          `${base.name}[${index}] has an unknown member ${JSON.stringify(unknown.slice(0, 40))}; ` +
            `known: ${[...KEYS].join(', ')}`,
        )
      }
    })
    const specs = raw as ProfileFieldSpec[]
    defineProfileFields(specs)
    return Object.freeze(specs.map((spec) => Object.freeze({ ...spec })))
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => {
      let data: unknown
      try {
        data = JSON.parse(text)
      } catch {
        throw new SettingsError(base.name, `${base.name} is not valid JSON; it must be ${FORM}`)
      }
      return parse(data)
    },
    format: (value) => JSON.stringify(value),
  })
}
