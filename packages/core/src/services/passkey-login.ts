import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server'
import type { UserRecord } from '../stores/user-store.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import { findLoginUser, type LoginOptions, type LoginResult, startSession } from './login.js'
import { requireSecondFactor } from './mfa-login.js'
import { checkPasskeyAssertion, passkeyLoginOptions } from './passkey-ceremonies.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'

/** A login completed with a passkey alone. */
export interface PasskeyLoginResult extends LoginResult {
  readonly method: 'passkey'
  /** The credential id of the passkey used. */
  readonly passkeyId: string
}

/**
 * `POST /passkeys/login/options/` before a passwordless login: usernameless without
 * `username`, an allow-list of that user's passkeys with it (see `passkeyLoginOptions`).
 */
export async function passwordlessOptions(
  context: ServiceContext,
  username: unknown,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const found = username === undefined ? undefined : await findLoginUser(context, username)
  const user = found?.isActive === true ? found : undefined
  return passkeyLoginOptions(context, 'login', user)
}

/** `POST /passkeys/login/options/` with an `mfa_token`: a challenge only their passkeys answer. */
export async function secondFactorOptions(
  context: ServiceContext,
  verified: VerifiedToken,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const user: UserRecord | undefined = await context.stores.users.findUserById(
    verified.userId as string,
  )
  return passkeyLoginOptions(context, 'mfa', user?.isActive === true ? user : undefined)
}

/**
 * `POST /passkeys/login/verify/`: a passwordless login. A verified user (PIN, biometrics) makes
 * the passkey two factors in one; without user verification (`WEBAUTHN_USER_VERIFICATION=
 * preferred`) it is one, and an account with TOTP continues to the second step
 * (`MfaRequiredError` listing `totp` only). Throws `PasskeyInvalidError` for every failure.
 */
export async function loginWithPasskey(
  context: ServiceContext,
  response: unknown,
  request: RequestContext,
  options: LoginOptions = {},
): Promise<PasskeyLoginResult> {
  const { user, passkey, userVerified } = await checkPasskeyAssertion(
    context,
    response,
    { purpose: 'login' },
    request,
  )
  if (!userVerified) await requireSecondFactor(context, user, options.deviceToken, 'passkey')
  const session = await startSession(context, user, request)
  if (context.settings.UPDATE_LAST_LOGIN) {
    await context.stores.users.updateUser(user.id, { lastLogin: context.clock() })
  }
  await audit(context, {
    type: 'login_succeeded',
    userId: user.id,
    ip: request.ip,
    data: { session: session.sessionId, method: 'passkey', passkey: passkey.id },
  })
  return { user, ...session, method: 'passkey', passkeyId: passkey.id }
}
