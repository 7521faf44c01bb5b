import { type SettingSpec, TOKEN_CLAIM_NAMES, type TokenClaimName } from '@tessera/core'
import { defineSpec, invalid, type SpecBase } from './spec-builders.js'

const FORM = `a list of ${TOKEN_CLAIM_NAMES.join(', ')} or profile.<field>`
const PROFILE = /^profile\.[a-z_][a-z0-9_]*$/

/** `TOKEN_CLAIMS`: which user facts every new session's tokens carry; comma-separated in env. */
export function tokenClaimsSpec(
  base: SpecBase<readonly TokenClaimName[]>,
): SettingSpec<readonly TokenClaimName[]> {
  const parse = (raw: unknown): readonly TokenClaimName[] => {
    const items = typeof raw === 'string' ? split(raw) : raw
    if (!Array.isArray(items)) throw invalid(base.name, FORM, raw)
    const names = items.map((item: unknown) => {
      const known =
        typeof item === 'string' &&
        ((TOKEN_CLAIM_NAMES as readonly string[]).includes(item) || PROFILE.test(item))
      if (!known) throw invalid(base.name, FORM, item)
      return item as TokenClaimName
    })
    return Object.freeze([...new Set(names)])
  }
  return defineSpec(base, parse, {
    parseEnv: (text) => parse(split(text)),
    format: (value) => (value.length === 0 ? '(none)' : value.join(',')),
  })
}

function split(text: string): string[] {
  return text.trim() === '' ? [] : text.split(',').map((item) => item.trim())
}
