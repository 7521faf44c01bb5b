/**
 * The browser half of the passkey ceremonies: `navigator.credentials.create()` and `.get()`
 * with WebAuthn's JSON options in and out. By default `@simplewebauthn/browser`'s
 * `startRegistration` and `startAuthentication`, loaded on first use so that apps without
 * passkeys never download it; tests and other runtimes pass their own.
 */
export interface WebAuthnCeremonies {
  /** Creates a credential for `optionsJSON` (`PublicKeyCredentialCreationOptionsJSON`). */
  startRegistration(optionsJSON: Record<string, unknown>): Promise<Record<string, unknown>>
  /** Gets an assertion for `optionsJSON` (`PublicKeyCredentialRequestOptionsJSON`). */
  startAuthentication(optionsJSON: Record<string, unknown>): Promise<Record<string, unknown>>
}

/** `@simplewebauthn/browser`, imported when a ceremony first runs. */
export function browserCeremonies(): WebAuthnCeremonies {
  let loaded: Promise<typeof import('@simplewebauthn/browser')> | undefined
  const library = () => {
    loaded ??= import('@simplewebauthn/browser')
    return loaded
  }
  return {
    async startRegistration(optionsJSON) {
      const { startRegistration } = await library()
      return (await startRegistration({
        optionsJSON: optionsJSON as never,
      })) as unknown as Record<string, unknown>
    },
    async startAuthentication(optionsJSON) {
      const { startAuthentication } = await library()
      return (await startAuthentication({
        optionsJSON: optionsJSON as never,
      })) as unknown as Record<string, unknown>
    },
  }
}
