import { KeyEncryptionKey, type SettingSpec, SettingsError } from '@tessera/core'
import { defineSpec, type SpecBase } from './spec-builders.js'

/** Shortest `KEY_ROTATION_INTERVAL`: longer than a next key's pre-publication (10 minutes). */
export const MIN_KEY_ROTATION_INTERVAL = 15 * 60

/**
 * The `KEY_ENCRYPTION_KEY` spec: unset, or 32 bytes as base64url or hex, checked by parsing it.
 * Secret: the message names the setting and the expected form, never the value.
 */
export function keyEncryptionKeySpec(
  base: SpecBase<string | undefined>,
): SettingSpec<string | undefined> {
  return defineSpec(
    base,
    (raw) => {
      if (typeof raw !== 'string') {
        throw new SettingsError(base.name, `${base.name} must be 32 bytes as base64url or hex`)
      }
      KeyEncryptionKey.parse(raw.trim())
      return raw.trim()
    },
    { secret: true, format: (value) => (value === undefined ? '(unset)' : '(set)') },
  )
}
