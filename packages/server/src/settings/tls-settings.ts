import { optionalStringSpec, type SettingSpec } from '@tessera/core'
import { booleanSpec, boundedDurationSpec } from './spec-builders.js'

/** Serving HTTPS itself, and HSTS (Django's names). */
export interface TlsSettings {
  /** PEM certificate chain to serve HTTPS with; with `TLS_KEY_FILE`. Unset: plain HTTP. */
  readonly TLS_CERT_FILE: string | undefined
  /** PEM private key of that certificate. Re-read with the certificate on SIGHUP. */
  readonly TLS_KEY_FILE: string | undefined
  /**
   * Seconds browsers must use HTTPS only (`Strict-Transport-Security`), sent on answers to HTTPS
   * requests (served here, or by a trusted proxy); 0 sends none. Default one year.
   */
  readonly SECURE_HSTS_SECONDS: number
  /** Add `includeSubDomains` to HSTS. Default true. */
  readonly SECURE_HSTS_INCLUDE_SUBDOMAINS: boolean
}

/** TLS settings as given in code or in `tessera.config.json`. */
export type TlsSettingsInput = {
  readonly TLS_CERT_FILE?: string
  readonly TLS_KEY_FILE?: string
  readonly SECURE_HSTS_SECONDS?: number | string
  readonly SECURE_HSTS_INCLUDE_SUBDOMAINS?: boolean
}

const TWO_YEARS = 2 * 365 * 86_400

/** The specs of {@link TlsSettings}, in documentation order. */
export const tlsSettingSpecs: {
  readonly [K in keyof TlsSettings]: SettingSpec<TlsSettings[K]>
} = Object.freeze({
  TLS_CERT_FILE: optionalStringSpec({
    name: 'TLS_CERT_FILE',
    default: undefined,
    description: 'PEM certificate (chain) to serve HTTPS with, beside TLS_KEY_FILE.',
  }),
  TLS_KEY_FILE: optionalStringSpec({
    name: 'TLS_KEY_FILE',
    default: undefined,
    description: 'PEM private key of TLS_CERT_FILE; both are re-read on SIGHUP.',
  }),
  SECURE_HSTS_SECONDS: boundedDurationSpec(
    {
      name: 'SECURE_HSTS_SECONDS',
      default: 31_536_000,
      description: 'Strict-Transport-Security max-age on HTTPS answers (0: none).',
    },
    0,
    TWO_YEARS,
  ),
  SECURE_HSTS_INCLUDE_SUBDOMAINS: booleanSpec({
    name: 'SECURE_HSTS_INCLUDE_SUBDOMAINS',
    default: true,
    description: 'Add includeSubDomains to Strict-Transport-Security.',
  }),
})

/** The `Strict-Transport-Security` value of the settings, or null for none. */
export function hstsHeader(
  settings: Pick<TlsSettings, 'SECURE_HSTS_SECONDS' | 'SECURE_HSTS_INCLUDE_SUBDOMAINS'>,
): string | null {
  if (settings.SECURE_HSTS_SECONDS === 0) return null
  return `max-age=${settings.SECURE_HSTS_SECONDS}${settings.SECURE_HSTS_INCLUDE_SUBDOMAINS ? '; includeSubDomains' : ''}`
}
