import { createRequire } from 'node:module'
import type * as ZxcvbnCommon from '@zxcvbn-ts/language-common'

let defaultList: ReadonlySet<string> | undefined

/**
 * The default list of common passwords: the ~49,000 most common passwords of zxcvbn-ts's
 * `@zxcvbn-ts/language-common` (leaked-password frequency lists), lowercased and trimmed.
 * Loaded on first use, since decompressing it costs ~40 ms that an app which never validates
 * passwords should not pay at start-up.
 */
export function defaultCommonPasswords(): ReadonlySet<string> {
  if (defaultList === undefined) {
    // A synchronous require keeps validatePassword() synchronous, like Django's validators.
    const require = createRequire(import.meta.url)
    const { dictionary } = require('@zxcvbn-ts/language-common') as typeof ZxcvbnCommon
    defaultList = new Set(dictionary['passwords-common'].map((entry) => entry.trim().toLowerCase()))
  }
  return defaultList
}
