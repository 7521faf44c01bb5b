/**
 * How long a JWT lives (`exp - iat`) in milliseconds, read without verifying: the server
 * verifies, the client only needs to know when to refresh. Measured in the token's own clock,
 * so a client whose clock is off still refreshes in time. Undefined when unreadable.
 */
export function jwtLifetime(token: string): number | undefined {
  const payload = token.split('.')[1]
  if (payload === undefined) return undefined
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/')
    const claims = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='))) as {
      exp?: unknown
      iat?: unknown
    } | null
    const exp = claims?.exp
    const iat = claims?.iat
    return typeof exp === 'number' && typeof iat === 'number' ? (exp - iat) * 1000 : undefined
  } catch {
    return undefined
  }
}
