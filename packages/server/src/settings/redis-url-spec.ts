import { type SettingSpec, SettingsError } from '@tessera/core'
import { defineSpec, type SpecBase } from './spec-builders.js'

const FORM = 'a redis:// or rediss:// URL'

/**
 * The `REDIS_URL` spec: unset (no Redis), or `redis://...` / `rediss://...` (TLS). Secret: a URL
 * may carry a password, so it is never echoed.
 */
export function redisUrlSpec(base: SpecBase<string | undefined>): SettingSpec<string | undefined> {
  return defineSpec(
    base,
    (raw) => {
      const text = typeof raw === 'string' ? raw.trim() : ''
      if (!/^rediss?:\/\//.test(text) || !parses(text)) {
        throw new SettingsError(base.name, `${base.name} must be ${FORM}`)
      }
      return text
    },
    { secret: true, format: (value) => (value === undefined ? '(unset)' : '(set)') },
  )
}

function parses(text: string): boolean {
  try {
    return new URL(text).hostname !== ''
  } catch {
    return false
  }
}

/**
 * Describes a Redis URL without its credentials, for start-up lines and errors.
 * @example describeRedisUrl('redis://:pw@cache:6379/0') // 'redis://cache:6379/0'
 */
export function describeRedisUrl(url: string): string {
  try {
    const parsed = new URL(url)
    parsed.username = ''
    parsed.password = ''
    parsed.search = ''
    return parsed.toString()
  } catch {
    return 'redis://(unparsable URL)'
  }
}
