import type { SettingSpec } from '@tessera/core'
import { exactOrigin, listSpec, ORIGIN_FORM } from './browser-settings.js'
import { defineSpec, enumSpec, invalid, stringSpec } from './spec-builders.js'

/** WebAuthn's user verification values Tessera accepts (never `discouraged`). */
export const USER_VERIFICATIONS = ['required', 'preferred'] as const

/** The relying party of passkeys (WebAuthn). */
export interface WebauthnSettings {
  /** The RP ID: the domain passkeys are bound to. Default `localhost`. */
  readonly WEBAUTHN_RP_ID: string
  /** The name authenticators show. Default `Tessera`. */
  readonly WEBAUTHN_RP_NAME: string
  /** The exact origins ceremonies may come from. Default `http://localhost:8000`. */
  readonly WEBAUTHN_ORIGINS: readonly string[]
  /** `required` (PIN or biometrics every time) or `preferred`. Default `required`. */
  readonly WEBAUTHN_USER_VERIFICATION: (typeof USER_VERIFICATIONS)[number]
}

/** WebAuthn settings as given in code or in `tessera.config.json`. */
export type WebauthnSettingsInput = {
  readonly WEBAUTHN_RP_ID?: string
  readonly WEBAUTHN_RP_NAME?: string
  readonly WEBAUTHN_ORIGINS?: readonly string[] | string
  readonly WEBAUTHN_USER_VERIFICATION?: (typeof USER_VERIFICATIONS)[number]
}

// A registrable domain or `localhost`: lower-case labels, no scheme, port or path (WebAuthn 5.1.2).
const RP_ID =
  /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/

/** The specs of {@link WebauthnSettings}. */
export const webauthnSettingSpecs: {
  readonly [K in keyof WebauthnSettings]: SettingSpec<WebauthnSettings[K]>
} = Object.freeze({
  WEBAUTHN_RP_ID: defineSpec(
    {
      name: 'WEBAUTHN_RP_ID',
      default: 'localhost',
      description: 'Domain passkeys are bound to (the site or a parent of it), e.g. example.com.',
    },
    (raw) => {
      if (typeof raw !== 'string' || !RP_ID.test(raw)) {
        throw invalid(
          'WEBAUTHN_RP_ID',
          'a lower-case domain such as example.com (no scheme or port)',
          raw,
        )
      }
      return raw
    },
  ),
  WEBAUTHN_RP_NAME: stringSpec({
    name: 'WEBAUTHN_RP_NAME',
    default: 'Tessera',
    description: 'Name authenticators show beside the account.',
  }),
  WEBAUTHN_ORIGINS: listSpec(
    {
      name: 'WEBAUTHN_ORIGINS',
      default: Object.freeze(['http://localhost:8000']),
      description: 'Exact origins passkey ceremonies may come from (pages on the RP ID).',
    },
    ORIGIN_FORM,
    exactOrigin,
  ),
  WEBAUTHN_USER_VERIFICATION: enumSpec(
    {
      name: 'WEBAUTHN_USER_VERIFICATION',
      default: 'required',
      description: 'required: PIN or biometrics at every passkey use; or preferred.',
    },
    USER_VERIFICATIONS,
  ),
})
