import { type SettingSpec, SettingsError } from '@tessera/core'
import { defineSpec, type SpecBase } from './spec-builders.js'

const FORM = 'a postgres:// or postgresql:// URL, or sqlite:<path>'

/**
 * The `DATABASE_URL` spec: unset (SQLite in the data directory), `postgres://...` /
 * `postgresql://...`, or `sqlite:<path>`. Secret: a URL may carry a password, so it is never
 * echoed, not even in part.
 */
export function databaseUrlSpec(
  base: SpecBase<string | undefined>,
): SettingSpec<string | undefined> {
  return defineSpec(
    base,
    (raw) => {
      if (typeof raw !== 'string' || !isDatabaseUrl(raw.trim())) {
        throw new SettingsError(base.name, `${base.name} must be ${FORM}`)
      }
      return raw.trim()
    },
    { secret: true, format: (value) => (value === undefined ? '(unset)' : '(set)') },
  )
}

function isDatabaseUrl(text: string): boolean {
  if (/^sqlite:.+$/.test(text)) return true
  if (!/^postgres(?:ql)?:\/\//.test(text)) return false
  try {
    return new URL(text).host !== '' || text.includes('host=')
  } catch {
    return false
  }
}

/** Where the stores live, as described by `DATABASE_URL` and `DATA_DIR`. */
export type DatabaseLocation =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly display: string }

/**
 * Describes a PostgreSQL URL without its password, for start-up lines and errors.
 * @example describePostgresUrl('postgres://app:pw@db:5432/auth') // 'postgres://app@db:5432/auth'
 */
export function describePostgresUrl(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.password = ''
    parsed.search = ''
    return parsed.toString()
  } catch {
    return 'postgres://(unparsable URL)'
  }
}
