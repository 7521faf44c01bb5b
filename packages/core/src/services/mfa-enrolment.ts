import { MfaEnrollmentRequiredError } from '../errors/mfa-errors.js'
import { type FieldErrors, ValidationError } from '../errors/request-errors.js'
import { generateRecoveryCodes, hashRecoveryCode } from '../mfa/recovery-codes.js'
import { generateTotpSecret, matchTotpStep, totpUri } from '../mfa/totp.js'
import { totpQrSvg } from '../mfa/totp-qr-code.js'
import { openTotpSecret, sealTotpSecret } from '../mfa/totp-secret-box.js'
import type { TrustedDeviceRecord } from '../stores/mfa-store.js'
import type { UserRecord } from '../stores/user-store.js'
import { passwordFieldProblems } from '../users/char-field.js'
import { confirmedTotp, type MfaLoginInput, secondFactors, useSecondFactor } from './mfa-login.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'

/** What `GET /api/mfa/` tells a signed-in user about their second factors. */
export interface MfaStatus {
  /** A confirmed authenticator: logins ask for a code. */
  readonly enabled: boolean
  /** A setup waits for its confirming code. */
  readonly pending: boolean
  /** Unused recovery codes. */
  readonly recoveryCodesLeft: number
}

/** A fresh, not yet confirmed authenticator: shown once, to be scanned. */
export interface TotpSetup {
  /** Base32 secret, for typing into an app by hand. */
  readonly secret: string
  /** The `otpauth://totp/...` URI. */
  readonly uri: string
  /** The URI as a QR code, an SVG document drawn locally. */
  readonly qrSvg: string
}

/** Who resets a user's second factors, for the audit log. */
export interface MfaResetActor {
  readonly by: 'admin' | 'operator'
  /** The staff user's id, when an admin acted through the API. */
  readonly actorId?: string
  readonly ip?: string | null
}

const INVALID_PASSWORD = 'Invalid password.'
const INVALID_CODE = 'Invalid code.'

export async function mfaStatus(context: ServiceContext, user: UserRecord): Promise<MfaStatus> {
  const totp = await context.stores.mfa.findTotp(user.id)
  const enabled = totp?.confirmedAt != null
  return {
    enabled,
    pending: totp !== undefined && !enabled,
    recoveryCodesLeft: enabled ? await context.stores.mfa.countRecoveryCodes(user.id) : 0,
  }
}

/** Checks the current password (one verify); throws DRF field errors under `password`. */
async function checkPassword(
  context: ServiceContext,
  user: UserRecord,
  password: unknown,
): Promise<void> {
  const text = typeof password === 'string' ? password : ''
  const problems = passwordFieldProblems(text)
  if (problems.length > 0) throw new ValidationError({ password: problems })
  const result = await context.hasher.verify(text, user.password)
  if (!result.ok) throw new ValidationError({ password: [INVALID_PASSWORD] })
}

/** Exactly one of `code` and `recovery_code`, as field errors. */
function checkOneFactor(input: Pick<MfaLoginInput, 'code' | 'recoveryCode'>): void {
  const errors: FieldErrors = {}
  if (input.code === undefined && input.recoveryCode === undefined) {
    errors.code = ['This field is required.']
  } else if (input.code !== undefined && input.recoveryCode !== undefined) {
    errors.non_field_errors = ['Give either code or recovery_code, not both.']
  }
  if (Object.keys(errors).length > 0) throw new ValidationError(errors)
}

/**
 * Checks the password, then the second factor (spending the step or recovery code); throws
 * field errors for either, and when no authenticator is on.
 */
async function checkPasswordAndFactor(
  context: ServiceContext,
  user: UserRecord,
  password: unknown,
  input: Pick<MfaLoginInput, 'code' | 'recoveryCode'>,
  request: RequestContext,
): Promise<void> {
  checkOneFactor(input)
  await checkPassword(context, user, password)
  const totp = await confirmedTotp(context, user.id)
  if (totp === undefined) {
    throw new ValidationError({ non_field_errors: ['Two-factor authentication is not enabled.'] })
  }
  if ((await useSecondFactor(context, user, totp, input, request)) === undefined) {
    throw new ValidationError(
      input.code !== undefined ? { code: [INVALID_CODE] } : { recovery_code: [INVALID_CODE] },
    )
  }
}

/**
 * `POST /api/mfa/totp/setup/`: with the current password, a new pending authenticator (a
 * pending one is replaced); its secret is sealed with the key-encryption key when configured.
 */
export async function setupTotp(
  context: ServiceContext,
  user: UserRecord,
  password: unknown,
): Promise<TotpSetup> {
  await checkPassword(context, user, password)
  const secret = generateTotpSecret()
  const stored = sealTotpSecret(secret, user.id, context.keyEncryptionKey)
  if (!(await context.stores.mfa.saveTotpSetup(user.id, stored, context.clock()))) {
    throw new ValidationError({
      non_field_errors: ['Two-factor authentication is already enabled.'],
    })
  }
  const uri = totpUri(secret, context.settings.MFA_ISSUER, user.username)
  return { secret, uri, qrSvg: await totpQrSvg(uri) }
}

/**
 * `POST /api/mfa/totp/confirm/`: a valid code of the pending authenticator turns it on; returns
 * the recovery codes, shown once (the store keeps their digests).
 */
export async function confirmTotp(
  context: ServiceContext,
  user: UserRecord,
  code: unknown,
  request: RequestContext,
): Promise<string[]> {
  const totp = await context.stores.mfa.findTotp(user.id)
  if (totp === undefined || totp.confirmedAt !== null) {
    throw new ValidationError({
      non_field_errors: [
        totp === undefined
          ? 'Set up two-factor authentication first.'
          : 'Two-factor authentication is already enabled.',
      ],
    })
  }
  const secret = openTotpSecret(totp.secret, user.id, context.keyEncryptionKey)
  const step = matchTotpStep(secret, code, context.clock())
  const codes = generateRecoveryCodes()
  const hashes = codes.map((each) => hashRecoveryCode(each) as string)
  if (
    step === undefined ||
    !(await context.stores.mfa.confirmTotp(user.id, step, hashes, context.clock()))
  ) {
    throw new ValidationError({ code: [INVALID_CODE] })
  }
  await audit(context, {
    type: 'mfa_enabled',
    userId: user.id,
    ip: request.ip,
    data: { method: 'totp' },
  })
  return codes
}

/**
 * `POST /api/mfa/totp/disable/`: with the password and a code (or a recovery code), turns the
 * second factor off: the authenticator, the recovery codes and every trusted device go.
 */
export async function disableTotp(
  context: ServiceContext,
  user: UserRecord,
  password: unknown,
  input: Pick<MfaLoginInput, 'code' | 'recoveryCode'>,
  request: RequestContext,
): Promise<void> {
  await checkPasswordAndFactor(context, user, password, input, request)
  await removeSecondFactors(context, user.id)
  await audit(context, { type: 'mfa_disabled', userId: user.id, ip: request.ip, data: {} })
}

/** `POST /api/mfa/recovery-codes/`: with the password and a code, new recovery codes. */
export async function regenerateRecoveryCodes(
  context: ServiceContext,
  user: UserRecord,
  password: unknown,
  input: Pick<MfaLoginInput, 'code' | 'recoveryCode'>,
  request: RequestContext,
): Promise<string[]> {
  await checkPasswordAndFactor(context, user, password, input, request)
  const codes = generateRecoveryCodes()
  await context.stores.mfa.replaceRecoveryCodes(
    user.id,
    codes.map((each) => hashRecoveryCode(each) as string),
    context.clock(),
  )
  await audit(context, {
    type: 'mfa_recovery_codes_regenerated',
    userId: user.id,
    ip: request.ip,
    data: {},
  })
  return codes
}

/**
 * An operator's or admin's reset (a lost phone and lost codes): the authenticator, recovery
 * codes and trusted devices go; the next login asks for the password only. False when the user
 * had no authenticator (trusted devices are revoked anyway).
 */
export async function resetMfa(
  context: ServiceContext,
  userId: string,
  actor: MfaResetActor,
): Promise<boolean> {
  const totp = await removeSecondFactors(context, userId)
  // Passkeys are second factors too: a user who lost them all gets back in by password.
  const passkeys = await context.stores.passkeys.deleteUserPasskeys(userId)
  const removed = totp || passkeys > 0
  await audit(context, {
    type: 'mfa_reset',
    userId,
    ip: actor.ip ?? null,
    data: {
      by: actor.by,
      had_mfa: removed,
      passkeys_removed: passkeys,
      ...(actor.actorId === undefined ? {} : { actor: actor.actorId }),
    },
  })
  return removed
}

async function removeSecondFactors(context: ServiceContext, userId: string): Promise<boolean> {
  const removed = await context.stores.mfa.deleteTotp(userId)
  await context.stores.mfa.revokeUserTrustedDevices(userId, context.clock())
  return removed
}

/** The devices that currently skip the second factor for `userId`, newest first. */
export function listTrustedDevices(
  context: ServiceContext,
  userId: string,
): Promise<TrustedDeviceRecord[]> {
  return context.stores.mfa.listTrustedDevices(userId, context.clock())
}

/** Stops trusting one device of `userId`; false when it is unknown, theirs or not, or revoked. */
export async function revokeTrustedDevice(
  context: ServiceContext,
  userId: string,
  id: string,
  request: RequestContext,
): Promise<boolean> {
  const revoked = await context.stores.mfa.revokeTrustedDevice(userId, id, context.clock())
  if (revoked) {
    await audit(context, {
      type: 'trusted_device_revoked',
      userId,
      ip: request.ip,
      data: { device: id },
    })
  }
  return revoked
}

/**
 * `MFA_REQUIRED_FOR_STAFF`: throws {@link MfaEnrollmentRequiredError} for a staff user without a
 * confirmed authenticator; staff-only endpoints call it after their permission check.
 */
export async function requireStaffMfa(context: ServiceContext, user: UserRecord): Promise<void> {
  if (!context.settings.MFA_REQUIRED_FOR_STAFF || !user.isStaff) return
  if ((await secondFactors(context, user.id)).length === 0) throw new MfaEnrollmentRequiredError()
}
