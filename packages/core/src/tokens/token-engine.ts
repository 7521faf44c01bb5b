import type { KeyRing } from '../keys/key-ring.js'
import {
  type KeyRingFromSettingsOptions,
  keyRingFromSettings,
} from '../keys/key-ring-from-settings.js'
import type { TesseraSettings } from '../settings/settings.js'
import type { RevocationCheck } from './revocation-check.js'
import { type CustomClaimsHook, TokenIssuer, type TokenSubject } from './token-issuer.js'
import type { ClaimNames, Clock } from './token-types.js'
import { TokenVerifier } from './token-verifier.js'

/** Options of {@link createTokenEngine}. */
export interface TokenEngineOptions<U extends TokenSubject> extends KeyRingFromSettingsOptions {
  /** The key ring; built from `ALGORITHM`/`SIGNING_KEY`/`VERIFYING_KEY` when omitted. */
  keyRing?: KeyRing
  /** Epoch-seconds clock shared by issuer and verifier. */
  clock?: Clock
  /** Custom claims for every token issued. */
  customClaims?: CustomClaimsHook<U>
  /** The revocation view the verifier asks last. */
  revocation?: RevocationCheck
}

/** An issuer and a verifier that agree on keys, claim names, issuer, audience and clock. */
export interface TokenEngine<U extends TokenSubject> {
  /** The ring both use now. */
  readonly keyRing: KeyRing
  readonly issuer: TokenIssuer<U>
  readonly verifier: TokenVerifier
  /** Switches issuer and verifier to `ring` together (a rotation, a key loaded from the store). */
  useKeyRing(ring: KeyRing): void
}

/** Options of {@link createTokenVerifier}. */
export interface TokenVerifierFromSettingsOptions {
  /** The ring to verify with; a verify-only ring ({@link KeyRing.forVerification}) will do. */
  keyRing: KeyRing
  /** Epoch-seconds clock. */
  clock?: Clock
  /** The revocation view the verifier asks last. */
  revocation?: RevocationCheck
}

/** The claim names, issuer, audience and clock that issuer and verifier share. */
function sharedOptions(settings: TesseraSettings, keyRing: KeyRing, clock: Clock | undefined) {
  const claimNames: ClaimNames = {
    tokenType: settings.TOKEN_TYPE_CLAIM,
    jti: settings.JTI_CLAIM,
    userId: settings.USER_ID_CLAIM,
  }
  return {
    keyRing,
    claimNames,
    ...(settings.ISSUER === undefined ? {} : { issuer: settings.ISSUER }),
    ...(settings.AUDIENCE === undefined ? {} : { audience: settings.AUDIENCE }),
    ...(clock === undefined ? {} : { clock }),
  }
}

/**
 * A verifier that checks tokens as the issuer of `settings` would (claim names, issuer,
 * audience, leeway) with `keyRing`, which need not sign: e.g. the public keys of a key ring.
 *
 * @example
 * const verifier = createTokenVerifier(settings, { keyRing: KeyRing.forVerification(keys) })
 */
export function createTokenVerifier(
  settings: TesseraSettings,
  options: TokenVerifierFromSettingsOptions,
): TokenVerifier {
  return new TokenVerifier({
    ...sharedOptions(settings, options.keyRing, options.clock),
    leeway: settings.LEEWAY,
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
  })
}

/**
 * Builds the token issuer and verifier from settings.
 *
 * @example
 * const { issuer, verifier } = createTokenEngine(loadSettings())
 * const { access, refresh } = issuer.issueTokenPair({ id: user.id })
 */
export function createTokenEngine<U extends TokenSubject = TokenSubject>(
  settings: TesseraSettings,
  options: TokenEngineOptions<U> = {},
): TokenEngine<U> {
  const keyRing = options.keyRing ?? keyRingFromSettings(settings, options)
  const issuer = new TokenIssuer<U>({
    ...sharedOptions(settings, keyRing, options.clock),
    lifetimes: {
      access: settings.ACCESS_TOKEN_LIFETIME,
      refresh: settings.REFRESH_TOKEN_LIFETIME,
      sliding: settings.SLIDING_TOKEN_LIFETIME,
      slidingRefresh: settings.SLIDING_TOKEN_REFRESH_LIFETIME,
      mfa: settings.MFA_TOKEN_LIFETIME,
    },
    slidingRefreshExpClaim: settings.SLIDING_TOKEN_REFRESH_EXP_CLAIM,
    ...(options.customClaims === undefined ? {} : { customClaims: options.customClaims }),
  })
  const verifier = createTokenVerifier(settings, {
    keyRing,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    ...(options.revocation === undefined ? {} : { revocation: options.revocation }),
  })
  let current = keyRing
  return {
    get keyRing() {
      return current
    },
    issuer,
    verifier,
    useKeyRing(ring) {
      issuer.useKeyRing(ring)
      verifier.useKeyRing(ring)
      current = ring
    },
  }
}
