/**
 * `@tessera/core/mfa`: the second-factor primitives behind the MFA services: TOTP codes
 * (RFC 6238), recovery codes, device tokens and sealed secrets. Applications rarely need them;
 * tests and machine clients use {@link totpCode} to compute the code an app would show.
 */
export {
  generateRecoveryCodes,
  hashRecoveryCode,
  RECOVERY_CODE_COUNT,
} from './recovery-codes.js'
export { generateTotpSecret, matchTotpStep, totpCode, totpStepAt, totpUri } from './totp.js'
export { totpQrSvg } from './totp-qr-code.js'
export { openTotpSecret, sealTotpSecret } from './totp-secret-box.js'
export { hashTrustedDeviceToken, newTrustedDeviceToken } from './trusted-device-token.js'
