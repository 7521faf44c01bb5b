// HS256 tokens signed by the bench itself, so a thousand distinct tokens cost no login.
import { createHmac, randomBytes } from 'node:crypto'

const segment = (value) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Signs `claims` (key order kept) under `header` with the HS256 `key`. */
export function signHs256(key, header, claims) {
  const input = `${segment(header)}.${segment(claims)}`
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`
}

/** The decoded header and claims of a compact JWS (no verification: our own tokens). */
export function decodeJwt(token) {
  const [header, claims] = token
    .split('.')
    .slice(0, 2)
    .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')))
  return { header, claims }
}

/**
 * simplejwt's access-token claims in simplejwt's order (token_type, exp, iat, jti, user_id),
 * valid for `lifetime` seconds, with a fresh 32-hex jti.
 */
export function accessClaims(userId, lifetime = 300) {
  const iat = Math.floor(Date.now() / 1000)
  return {
    token_type: 'access',
    exp: iat + lifetime,
    iat,
    jti: randomBytes(16).toString('hex'),
    user_id: userId,
  }
}
