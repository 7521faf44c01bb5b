import {
  type AuthenticationResponseJSON,
  generateAuthenticationOptions,
  generateRegistrationOptions,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type WebAuthnCredential,
} from '@simplewebauthn/server'
import { PasskeyInvalidError } from '../errors/passkey-errors.js'
import { ValidationError } from '../errors/request-errors.js'
import type {
  PasskeyChallenge,
  PasskeyChallengePurpose,
  PasskeyRecord,
} from '../stores/passkey-store.js'
import type { UserRecord } from '../stores/user-store.js'
import { isStorableText } from '../users/char-field.js'
import { PASSKEY_CHALLENGE_LIFETIME, type PasskeyOptions } from './passkey-options.js'
import { audit, type RequestContext, type ServiceContext } from './service-context.js'

/** Longest passkey name kept. */
export const MAX_PASSKEY_NAME_LENGTH = 128

const REGISTRATION_FAILED = 'The passkey could not be verified.'

/**
 * The key algorithms passkeys may use (COSE ids): EdDSA, ES256, RS256, named rather than left
 * to the library, whose default probes the runtime for ML-DSA (an experimental Web Crypto call
 * that prints a warning on Node 24) and would change with the runtime.
 */
const PASSKEY_ALGORITHMS = [-8, -7, -257]

/** The relying party, or a TypeError naming the missing option (a programming error). */
export function passkeyOptions(context: ServiceContext): PasskeyOptions {
  if (context.passkeys === undefined) {
    throw new TypeError('AuthService: passkeys need the `passkeys` option (rpId, origins...)')
  }
  return context.passkeys
}

/** The user handle passkeys carry (WebAuthn `user.id`): the user id's bytes, no personal data. */
function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(userId)
}

/** Stores `challenge` for `purpose` (and `userId`) until it is answered or expires. */
async function keepChallenge(
  context: ServiceContext,
  challenge: string,
  purpose: PasskeyChallengePurpose,
  userId: string | null,
): Promise<void> {
  const lifetime = passkeyOptions(context).challengeLifetime ?? PASSKEY_CHALLENGE_LIFETIME
  await context.stores.passkeys.saveChallenge({
    challenge,
    purpose,
    userId,
    expiresAt: context.clock() + lifetime,
  })
}

/**
 * The challenge check every verification uses: the answered challenge is consumed (single use,
 * across instances) and must have been issued for `purpose`, and for `userId` when it names one.
 */
function challengeCheck(
  context: ServiceContext,
  purpose: PasskeyChallengePurpose,
  userId: string | undefined,
): {
  check: (challenge: string) => Promise<boolean>
  consumed: () => PasskeyChallenge | undefined
} {
  let consumed: PasskeyChallenge | undefined
  return {
    check: async (challenge) => {
      consumed = await context.stores.passkeys.consumeChallenge(challenge, context.clock())
      if (consumed === undefined || consumed.purpose !== purpose) return false
      return userId === undefined || consumed.userId === null || consumed.userId === userId
    },
    consumed: () => consumed,
  }
}

const timeoutMs = (options: PasskeyOptions) =>
  (options.challengeLifetime ?? PASSKEY_CHALLENGE_LIFETIME) * 1000

/** `POST /passkeys/register/options/`: options for `navigator.credentials.create()`. */
export async function passkeyRegistrationOptions(
  context: ServiceContext,
  user: UserRecord,
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const rp = passkeyOptions(context)
  const existing = await context.stores.passkeys.listPasskeys(user.id)
  const options = await generateRegistrationOptions({
    rpName: rp.rpName,
    rpID: rp.rpId,
    userName: user.username,
    userID: userHandle(user.id),
    userDisplayName: [user.firstName, user.lastName].join(' ').trim() || user.username,
    timeout: timeoutMs(rp),
    attestationType: 'none',
    // The same authenticator twice would be one factor counted twice.
    excludeCredentials: existing.map((passkey) => ({
      id: passkey.id,
      transports: [...passkey.transports],
    })),
    // Discoverable, so that the login can be usernameless.
    authenticatorSelection: { residentKey: 'required', userVerification: rp.userVerification },
    supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
  })
  await keepChallenge(context, options.challenge, 'register', user.id)
  return options
}

function passkeyName(name: unknown): string {
  if (name === undefined || name === null || name === '') return 'Passkey'
  if (typeof name !== 'string' || !isStorableText(name) || name.trim() === '') {
    throw new ValidationError({ name: ['Not a valid string.'] })
  }
  if (name.length > MAX_PASSKEY_NAME_LENGTH) {
    throw new ValidationError({
      name: [`Ensure this field has no more than ${MAX_PASSKEY_NAME_LENGTH} characters.`],
    })
  }
  return name.trim()
}

/**
 * `POST /passkeys/register/verify/`: checks the attestation (`fmt` none: the credential's key,
 * not its maker, is what logins rely on) against a challenge issued to `user`, and stores the
 * passkey. Throws `ValidationError` for an answer that fails any check.
 */
export async function registerPasskey(
  context: ServiceContext,
  user: UserRecord,
  input: { readonly response: unknown; readonly name?: unknown },
  request: RequestContext,
): Promise<PasskeyRecord> {
  const rp = passkeyOptions(context)
  const name = passkeyName(input.name)
  const challenge = challengeCheck(context, 'register', user.id)
  let info: Awaited<ReturnType<typeof verifyRegistrationResponse>>['registrationInfo']
  try {
    const verification = await verifyRegistrationResponse({
      response: input.response as RegistrationResponseJSON,
      expectedChallenge: challenge.check,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.rpId,
      requireUserVerification: rp.userVerification === 'required',
      supportedAlgorithmIDs: PASSKEY_ALGORITHMS,
    })
    info = verification.registrationInfo
  } catch (error) {
    await failed(context, 'register', user.id, request, reasonOf(error))
    throw new ValidationError({ response: [REGISTRATION_FAILED] })
  }
  // A challenge issued for someone else is refused by the check above (`consumed` names them).
  if (info === undefined || challenge.consumed()?.userId !== user.id) {
    await failed(context, 'register', user.id, request, 'not verified')
    throw new ValidationError({ response: [REGISTRATION_FAILED] })
  }
  const record = {
    id: info.credential.id,
    userId: user.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: [...(info.credential.transports ?? [])],
    name,
    createdAt: context.clock(),
    deviceType: info.credentialDeviceType,
    backedUp: info.credentialBackedUp,
  }
  if (!(await context.stores.passkeys.createPasskey(record))) {
    await failed(context, 'register', user.id, request, 'credential id taken')
    throw new ValidationError({ response: ['This passkey is already registered.'] })
  }
  await audit(context, {
    type: 'passkey_registered',
    userId: user.id,
    ip: request.ip,
    data: { passkey: record.id, name, backed_up: record.backedUp },
  })
  return { ...record, lastUsedAt: null, clonedAt: null }
}

/**
 * `POST /passkeys/login/options/`: options for `navigator.credentials.get()`. Without a user,
 * usernameless (the authenticator offers its discoverable credentials); with one, the
 * allow-list of their passkeys (none for an unknown user: the same shape as a user without
 * passkeys) and a challenge only their passkeys may answer.
 */
export async function passkeyLoginOptions(
  context: ServiceContext,
  purpose: 'login' | 'mfa',
  user: UserRecord | undefined,
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const rp = passkeyOptions(context)
  const passkeys = user === undefined ? [] : await context.stores.passkeys.listPasskeys(user.id)
  const options = await generateAuthenticationOptions({
    rpID: rp.rpId,
    timeout: timeoutMs(rp),
    userVerification: rp.userVerification,
    allowCredentials: passkeys
      .filter((passkey) => passkey.clonedAt === null)
      .map((passkey) => ({ id: passkey.id, transports: [...passkey.transports] })),
  })
  await keepChallenge(context, options.challenge, purpose, user?.id ?? null)
  return options
}

/** A verified assertion: whose passkey, and whether the user was verified. */
export interface PasskeyAssertion {
  readonly user: UserRecord
  readonly passkey: PasskeyRecord
  readonly userVerified: boolean
}

/**
 * Checks a `navigator.credentials.get()` answer: a challenge issued for `purpose` (and for
 * `userId`, when given), a passkey of an active user (the same user when `userId` is given),
 * origin, RP ID, signature and user verification, then moves the counter atomically: a counter
 * not above the stored one flags the passkey as possibly cloned (audited) and is refused.
 * Throws {@link PasskeyInvalidError} for every failure alike; each is audited.
 */
export async function checkPasskeyAssertion(
  context: ServiceContext,
  response: unknown,
  expected: { readonly purpose: 'login' | 'mfa'; readonly userId?: string },
  request: RequestContext,
): Promise<PasskeyAssertion> {
  const rp = passkeyOptions(context)
  const { purpose, userId } = expected
  const id = (response as { id?: unknown } | null)?.id
  const passkey = typeof id === 'string' ? await context.stores.passkeys.findPasskey(id) : undefined
  const refuse = async (reason: string, who: string | null = userId ?? null) => {
    await failed(context, purpose, who, request, reason, passkey?.id)
    return new PasskeyInvalidError(reason)
  }
  if (passkey === undefined) {
    // The challenge is spent all the same: an answer is never checked twice.
    await challengeCheck(context, purpose, userId).check(clientChallenge(response) ?? '')
    throw await refuse('unknown credential')
  }
  const owner = passkey.userId
  if (userId !== undefined && owner !== userId) throw await refuse('another user’s passkey')
  if (passkey.clonedAt !== null) throw await refuse('flagged as cloned', owner)
  const handle = (response as { response?: { userHandle?: unknown } }).response?.userHandle
  if (
    typeof handle === 'string' &&
    handle !== Buffer.from(userHandle(owner)).toString('base64url')
  ) {
    throw await refuse('user handle mismatch', owner)
  }
  const challenge = challengeCheck(context, purpose, owner)
  let info: Awaited<ReturnType<typeof verifyAuthenticationResponse>>['authenticationInfo']
  try {
    const verification = await verifyAuthenticationResponse({
      response: response as AuthenticationResponseJSON,
      expectedChallenge: challenge.check,
      expectedOrigin: [...rp.origins],
      expectedRPID: rp.rpId,
      requireUserVerification: rp.userVerification === 'required',
      // Counter 0 here: the store enforces the counter in one conditional write, which parallel
      // assertions cannot both pass (the library's check would read a stale value).
      credential: {
        id: passkey.id,
        publicKey: Buffer.from(passkey.publicKey, 'base64url'),
        counter: 0,
        transports: [...passkey.transports] as WebAuthnCredential['transports'],
      },
    })
    if (!verification.verified) throw new Error('not verified')
    info = verification.authenticationInfo
  } catch (error) {
    throw await refuse(reasonOf(error), owner)
  }
  const user = await context.stores.users.findUserById(owner)
  if (user?.isActive !== true) throw await refuse('inactive user', owner)
  const now = context.clock()
  if (
    !(await context.stores.passkeys.usePasskey(
      passkey.id,
      info.newCounter,
      info.credentialBackedUp,
      now,
    ))
  ) {
    // WebAuthn 6.1.1: a counter that did not grow means two authenticators hold the key.
    if (await context.stores.passkeys.flagPasskeyCloned(passkey.id, now)) {
      await audit(context, {
        type: 'passkey_clone_detected',
        userId: owner,
        ip: request.ip,
        data: { passkey: passkey.id, stored: passkey.counter, presented: info.newCounter },
      })
    }
    throw await refuse('counter did not grow', owner)
  }
  return {
    user,
    passkey: { ...passkey, counter: info.newCounter, lastUsedAt: now },
    userVerified: info.userVerified,
  }
}

/** The challenge a client data JSON answers, when readable. */
function clientChallenge(response: unknown): string | undefined {
  const data = (response as { response?: { clientDataJSON?: unknown } } | null)?.response
    ?.clientDataJSON
  if (typeof data !== 'string') return undefined
  try {
    const parsed = JSON.parse(Buffer.from(data, 'base64url').toString('utf8')) as {
      challenge?: unknown
    }
    return typeof parsed.challenge === 'string' ? parsed.challenge : undefined
  } catch {
    return undefined
  }
}

/** The library's reason, short and free of input (its messages quote no secrets). */
function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : 'invalid'
  return message.slice(0, 200)
}

async function failed(
  context: ServiceContext,
  purpose: PasskeyChallengePurpose,
  userId: string | null,
  request: RequestContext,
  reason: string,
  passkeyId?: string,
): Promise<void> {
  await audit(context, {
    type: 'passkey_failed',
    userId,
    ip: request.ip,
    data: { purpose, reason, ...(passkeyId === undefined ? {} : { passkey: passkeyId }) },
  })
}
