import { Secret, TOTP } from 'otpauth'

/** RFC 6238 as every authenticator app implements it: HMAC-SHA-1, 6 digits, 30-second steps. */
const ALGORITHM = 'SHA1'
const DIGITS = 6
const PERIOD = 30
/** One step of clock drift each way (RFC 6238 5.2 recommends at most one). */
const WINDOW = 1
/** 160-bit secrets, the HMAC-SHA-1 block RFC 4226 4 recommends. */
const SECRET_BYTES = 20
const CODE = /^[0-9]{6}$/

/** A new random TOTP secret, base32 (RFC 4648, no padding), as authenticator apps take it. */
export function generateTotpSecret(): string {
  return new Secret({ size: SECRET_BYTES }).base32
}

/** The time step of epoch-seconds `now`: `floor(now / 30)`. */
export function totpStepAt(now: number): number {
  return Math.floor(now / PERIOD)
}

function totpOf(secret: string, issuer = '', label = 'OTPAuth'): TOTP {
  return new TOTP({
    issuer,
    label,
    secret: Secret.fromBase32(secret),
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD,
  })
}

/**
 * The code of `secret` at epoch-seconds `now` (what the user's app shows): for tests and for
 * scripts that log in as a machine.
 *
 * @example totpCode(secret, Date.now() / 1000) // '492039'
 */
export function totpCode(secret: string, now: number): string {
  return totpOf(secret).generate({ timestamp: Math.floor(now * 1000) })
}

/**
 * The time step a code belongs to, if it is the code of `secret` for the step of `now` or one
 * step before or after; undefined otherwise, and for anything but six ASCII digits (spaces
 * are allowed, as apps show `492 039`). Comparisons are constant-time (otpauth).
 */
export function matchTotpStep(secret: string, code: unknown, now: number): number | undefined {
  if (typeof code !== 'string' || code.length > 16) return undefined
  const token = code.replace(/\s/g, '')
  if (!CODE.test(token)) return undefined
  const timestamp = Math.floor(now * 1000)
  const delta = totpOf(secret).validate({ token, timestamp, window: WINDOW })
  return delta === null ? undefined : totpStepAt(now) + delta
}

/**
 * The `otpauth://totp/...` URI of Google's Key Uri Format, which authenticator apps read from a
 * QR code: `issuer` and `account` label it, the parameters are RFC 6238's defaults spelled out.
 */
export function totpUri(secret: string, issuer: string, account: string): string {
  return totpOf(secret, issuer, account).toString()
}
