import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server'
import type { PasskeyRecord } from '../stores/passkey-store.js'
import type { UserRecord } from '../stores/user-store.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import type { LoginOptions } from './login.js'
import { passkeyRegistrationOptions, registerPasskey } from './passkey-ceremonies.js'
import {
  loginWithPasskey,
  type PasskeyLoginResult,
  passwordlessOptions,
  secondFactorOptions,
} from './passkey-login.js'
import { deletePasskey, listPasskeys, renamePasskey } from './passkey-management.js'
import type { RequestContext, ServiceContext } from './service-context.js'

/**
 * Passkeys (WebAuthn): the two ceremonies (registration for a signed-in user, login without a
 * password or as the second step of one) and a user's own list. Every event is audited; the
 * challenges live in the store, single-use, so any instance finishes a ceremony another began.
 *
 * @example
 * const options = await auth.passkeys?.registrationOptions(user) // to navigator.credentials.create()
 */
export class PasskeyService {
  readonly #context: ServiceContext

  constructor(context: ServiceContext) {
    this.#context = context
  }

  /** Options for `navigator.credentials.create()`: a new passkey for `user`. */
  registrationOptions(user: UserRecord): Promise<PublicKeyCredentialCreationOptionsJSON> {
    return passkeyRegistrationOptions(this.#context, user)
  }

  /** Verifies a new passkey's attestation and stores it; throws `ValidationError`. */
  register(
    user: UserRecord,
    input: { readonly response: unknown; readonly name?: unknown },
    request: RequestContext,
  ): Promise<PasskeyRecord> {
    return registerPasskey(this.#context, user, input, request)
  }

  /**
   * Options for `navigator.credentials.get()`: for a passwordless login (usernameless, or the
   * allow-list of `username`), or with a verified `mfa` token for the second step.
   */
  loginOptions(
    input: { readonly username?: unknown } | { readonly mfaToken: VerifiedToken },
  ): Promise<PublicKeyCredentialRequestOptionsJSON> {
    return 'mfaToken' in input
      ? secondFactorOptions(this.#context, input.mfaToken)
      : passwordlessOptions(this.#context, input.username)
  }

  /**
   * A passwordless login with a passkey assertion; throws `PasskeyInvalidError`, or
   * `MfaRequiredError` when the user was not verified and the account has TOTP.
   */
  login(
    response: unknown,
    request: RequestContext,
    options?: LoginOptions,
  ): Promise<PasskeyLoginResult> {
    return loginWithPasskey(this.#context, response, request, options)
  }

  /** A user's passkeys, oldest first. */
  list(userId: string): Promise<PasskeyRecord[]> {
    return listPasskeys(this.#context, userId)
  }

  /** Renames one of a user's passkeys; false when not theirs. Throws `ValidationError`. */
  rename(userId: string, id: string, name: unknown, request: RequestContext): Promise<boolean> {
    return renamePasskey(this.#context, userId, id, name, request)
  }

  /** Deletes one of a user's passkeys; false when not theirs. */
  delete(userId: string, id: string, request: RequestContext): Promise<boolean> {
    return deletePasskey(this.#context, userId, id, request)
  }
}
