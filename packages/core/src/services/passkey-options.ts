/**
 * The relying party a server's passkeys belong to (WebAuthn's RP): what registrations are bound
 * to and what every ceremony checks.
 */
export interface PasskeyOptions {
  /** The RP ID: the registrable domain passkeys are scoped to (`example.com`, `localhost`). */
  readonly rpId: string
  /** The name authenticators show beside the account. */
  readonly rpName: string
  /** The exact origins ceremonies may come from (`https://app.example.com`). */
  readonly origins: readonly string[]
  /**
   * `required`: every ceremony must verify the user (PIN, biometrics), so a passkey alone is two
   * factors. `preferred`: asked for but not required; a passwordless login without it then
   * still needs the account's other second factor (TOTP), when it has one.
   */
  readonly userVerification: 'required' | 'preferred'
  /** Seconds a challenge may be answered in. Default 300. */
  readonly challengeLifetime?: number
}

/** Default of {@link PasskeyOptions.challengeLifetime}: long enough for a hybrid (phone) login. */
export const PASSKEY_CHALLENGE_LIFETIME = 300
