import { MfaCodeInvalidError, MfaRequiredError } from '../errors/mfa-errors.js'
import { PasskeyInvalidError } from '../errors/passkey-errors.js'
import { TokenInvalidError, TokenRevokedError } from '../errors/token-errors.js'
import { hashRecoveryCode } from '../mfa/recovery-codes.js'
import { matchTotpStep } from '../mfa/totp.js'
import { openTotpSecret } from '../mfa/totp-secret-box.js'
import { hashTrustedDeviceToken, newTrustedDeviceToken } from '../mfa/trusted-device-token.js'
import type { TotpRecord } from '../stores/mfa-store.js'
import type { UserRecord } from '../stores/user-store.js'
import { newJti } from '../tokens/token-issuer.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import type { LoginResult } from './login.js'
import { startSession } from './login.js'
import { checkPasskeyAssertion } from './passkey-ceremonies.js'
import { audit, deviceLabel, type RequestContext, type ServiceContext } from './service-context.js'
import { isCutOffInStore } from './session-checks.js'

/** The second step of a login: a TOTP code, a recovery code or a passkey, and whether to trust the device. */
export interface MfaLoginInput {
  /** A `navigator.credentials.get()` answer to a challenge of `POST /passkeys/login/options/`. */
  readonly passkey?: unknown
  /** The six digits the authenticator app shows. */
  readonly code?: unknown
  /** One of the recovery codes handed out at enrolment (when the app is lost). */
  readonly recoveryCode?: unknown
  /** Remember this device: later logins from it skip the second step for a while. */
  readonly rememberDevice?: boolean
}

/** A login completed with a second factor. */
export interface MfaLoginResult extends LoginResult {
  /** Which factor was used. */
  readonly method: 'totp' | 'recovery_code' | 'passkey'
  /**
   * With `rememberDevice`: the device token to send back as `device_token` at later logins
   * (bearer mode). Shown once; the store keeps only its digest.
   */
  readonly deviceToken?: string
}

/** The user's authenticator when it is confirmed: what makes a login ask for a second factor. */
export async function confirmedTotp(
  context: ServiceContext,
  userId: string,
): Promise<TotpRecord | undefined> {
  const totp = await context.stores.mfa.findTotp(userId)
  return totp?.confirmedAt == null ? undefined : totp
}

/** A second factor a login may continue with. */
export type SecondFactor = 'totp' | 'passkey'

/** The user's second factors, in the order clients should offer them: `totp`, `passkey`. */
export async function secondFactors(
  context: ServiceContext,
  userId: string,
): Promise<SecondFactor[]> {
  const methods: SecondFactor[] = []
  if ((await confirmedTotp(context, userId)) !== undefined) methods.push('totp')
  if (context.passkeys !== undefined) {
    const passkeys = await context.stores.passkeys.listPasskeys(userId)
    if (passkeys.some((passkey) => passkey.clonedAt === null)) methods.push('passkey')
  }
  return methods
}

/**
 * Called by every password login once the password is right: returns when the user has no
 * second factor (a TOTP app or a passkey; `without` leaves one out) or presents a device token
 * of a device they trusted that is still trusted; otherwise throws {@link MfaRequiredError}
 * with a fresh `mfa` token and the methods.
 */
export async function requireSecondFactor(
  context: ServiceContext,
  user: UserRecord,
  deviceToken: unknown,
  without?: SecondFactor,
): Promise<void> {
  const methods = (await secondFactors(context, user.id)).filter((method) => method !== without)
  if (methods.length === 0) return
  const hash = hashTrustedDeviceToken(deviceToken)
  if (hash !== undefined) {
    const device = await context.stores.mfa.findTrustedDeviceByTokenHash(hash)
    if (
      device !== undefined &&
      device.userId === user.id &&
      device.revokedAt === null &&
      device.expiresAt > context.clock()
    ) {
      return
    }
  }
  const token = context.tokens.issuer.issueMfaToken(user)
  throw new MfaRequiredError(token.token, token.exp, methods)
}

/**
 * Verifies an `mfa` token (signature, expiry, type, a user id) without spending it: the HTTP
 * layer throttles per token and per account with what it names before any code is checked.
 * Throws the typed token error.
 */
export function verifyMfaToken(context: ServiceContext, token: string): VerifiedToken {
  const result = context.tokens.verifier.verify(token, 'mfa')
  if (!result.ok) throw result.error
  if (result.token.userId === undefined) {
    throw new TokenInvalidError('token_claim_invalid', 'no user id')
  }
  return result.token
}

/**
 * The outcome of checking a second factor for a user, atomically recorded in the store: the
 * TOTP step is accepted once (also under parallel attempts and across instances), a recovery
 * code is used once. Undefined for a wrong, reused or unreadable code.
 */
export async function useSecondFactor(
  context: ServiceContext,
  user: Pick<UserRecord, 'id'>,
  totp: TotpRecord,
  input: Pick<MfaLoginInput, 'code' | 'recoveryCode'>,
  request: RequestContext,
): Promise<'totp' | 'recovery_code' | undefined> {
  const { mfa } = context.stores
  if (input.code !== undefined) {
    const secret = openTotpSecret(totp.secret, user.id, context.keyEncryptionKey)
    const step = matchTotpStep(secret, input.code, context.clock())
    if (step !== undefined && (await mfa.useTotpStep(user.id, step))) return 'totp'
  } else {
    const hash = hashRecoveryCode(input.recoveryCode)
    if (hash !== undefined && (await mfa.useRecoveryCode(user.id, hash, context.clock()))) {
      const left = await mfa.countRecoveryCodes(user.id)
      await audit(context, {
        type: 'mfa_recovery_code_used',
        userId: user.id,
        ip: request.ip,
        data: { remaining: left },
      })
      return 'recovery_code'
    }
  }
  await audit(context, {
    type: 'mfa_failed',
    userId: user.id,
    ip: request.ip,
    data: { method: input.code !== undefined ? 'totp' : 'recovery_code' },
  })
  return undefined
}

/**
 * `POST /api/token/mfa/`: the second step of a login. `verified` is the `mfa` token as
 * {@link verifyMfaToken} returned it (throttled by the caller). Checks the code (the step or
 * recovery code is spent atomically), then spends the token's jti (single use, across
 * instances), then starts the session, and with `rememberDevice` trusts the device. A token
 * issued before its user's cut-off (password change, logout everywhere) is refused. Throws
 * {@link MfaCodeInvalidError} for every wrong code alike, `TokenRevokedError` for a spent token.
 */
export async function completeMfaLogin(
  context: ServiceContext,
  verified: VerifiedToken,
  input: MfaLoginInput,
  request: RequestContext,
): Promise<MfaLoginResult> {
  const userId = verified.userId as string
  const user = await context.stores.users.findUserById(userId)
  if (user?.isActive !== true) throw new MfaCodeInvalidError()
  const totp = input.passkey === undefined ? await confirmedTotp(context, userId) : undefined
  if (input.passkey === undefined && totp === undefined) throw new MfaCodeInvalidError()
  // A password change or logout everywhere since the password step voids it: the password
  // that step proved may be the one just replaced.
  if (await isCutOffInStore(context, verified)) throw new TokenRevokedError('mfa token cut off')
  const method =
    totp === undefined
      ? await usePasskeyFactor(context, user, input.passkey, request)
      : await useSecondFactor(context, user, totp, input, request)
  if (method === undefined) throw new MfaCodeInvalidError()
  // Spent after the code: a typo does not cost the user their password step.
  if (!(await context.stores.mfa.consumeMfaToken(verified.jti, userId, verified.exp))) {
    throw new TokenRevokedError('mfa token already used')
  }
  const session = await startSession(context, user, request)
  if (context.settings.UPDATE_LAST_LOGIN) {
    await context.stores.users.updateUser(user.id, { lastLogin: context.clock() })
  }
  const deviceToken =
    input.rememberDevice === true ? await trustDevice(context, user, request) : undefined
  await audit(context, {
    type: 'login_succeeded',
    userId: user.id,
    ip: request.ip,
    data: {
      session: session.sessionId,
      mfa: method,
      ...(deviceToken ? { trusted_device: true } : {}),
    },
  })
  return { user, ...session, method, ...(deviceToken === undefined ? {} : { deviceToken }) }
}

/** A passkey as the second factor: an assertion by one of the user's passkeys (audited). */
async function usePasskeyFactor(
  context: ServiceContext,
  user: UserRecord,
  response: unknown,
  request: RequestContext,
): Promise<'passkey' | undefined> {
  if (context.passkeys === undefined) return undefined
  try {
    await checkPasskeyAssertion(context, response, { purpose: 'mfa', userId: user.id }, request)
    return 'passkey'
  } catch (error) {
    if (error instanceof PasskeyInvalidError) return undefined
    throw error
  }
}

/** Trusts the device of `request` for `MFA_TRUSTED_DEVICE_LIFETIME`; returns its token. */
async function trustDevice(
  context: ServiceContext,
  user: UserRecord,
  request: RequestContext,
): Promise<string> {
  const { token, hash } = newTrustedDeviceToken()
  const now = context.clock()
  await context.stores.mfa.createTrustedDevice({
    id: newJti(),
    userId: user.id,
    tokenHash: hash,
    device: deviceLabel(request.device),
    ip: request.ip,
    createdAt: now,
    expiresAt: now + context.settings.MFA_TRUSTED_DEVICE_LIFETIME,
  })
  return token
}
