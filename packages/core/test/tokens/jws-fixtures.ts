// Helpers shared by the token tests. Tokens are built here with jose or node:crypto directly, never
// with Tessera's signer, so a test cannot pass because signer and verifier share a bug.
import type { Algorithm, SigningKey } from '@tessera/core'
import { type JWTPayload, SignJWT } from 'jose'

/** The instant every frozen clock in these tests starts from (2025-06-15T15:06:40Z). */
export const NOW = 1_750_000_000

/** The algorithms Tessera supports, in settings order. */
export const ALL_ALGORITHMS: readonly Algorithm[] = [
  'HS256',
  'HS384',
  'HS512',
  'RS256',
  'ES256',
  'EdDSA',
]

/** A clock that returns whatever `set` last gave it, in epoch seconds. */
export function frozenClock(start = NOW): { (): number; set(now: number): void } {
  let now = start
  const clock = () => now
  clock.set = (value: number) => {
    now = value
  }
  return clock
}

/** Unpadded base64url of a UTF-8 string or bytes. */
export function b64url(input: string | Uint8Array): string {
  return Buffer.from(input).toString('base64url')
}

/** The decoded UTF-8 text of segment `index` (0 header, 1 payload) of a compact token. */
export function segmentText(token: string, index: 0 | 1): string {
  return Buffer.from(token.split('.')[index] ?? '', 'base64url').toString('utf8')
}

/** Options of {@link signWithJose}. */
export interface JoseSignOptions {
  /** The `kid` header; default the key's kid, `null` for a kid-less header. */
  kid?: string | null
  /** Sign with this key's private half (or secret) instead of `key`'s. */
  signWith?: SigningKey
}

/** Signs `payload` exactly as given with jose, under `{"alg","typ":"JWT","kid"}`. */
export function signWithJose(
  key: SigningKey,
  payload: JWTPayload,
  options: JoseSignOptions = {},
): Promise<string> {
  const kid = options.kid === undefined ? key.kid : options.kid
  const header = kid === null ? { alg: key.alg, typ: 'JWT' } : { alg: key.alg, typ: 'JWT', kid }
  const secret = (options.signWith ?? key).signingKey
  if (secret === undefined) throw new Error('fixture: the key cannot sign')
  return new SignJWT(payload).setProtectedHeader(header).sign(secret)
}

/** Claims shaped like Tessera's access tokens, at `now`. */
export function accessClaims(now = NOW, extra: JWTPayload = {}): JWTPayload {
  return {
    token_type: 'access',
    exp: now + 300,
    iat: now,
    jti: '0123456789abcdef0123456789abcdef',
    user_id: '42',
    sub: '42',
    ...extra,
  }
}
