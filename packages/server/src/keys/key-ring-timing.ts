import type { ServerSettings } from '../settings/server-settings.js'

/** `Cache-Control: max-age` of `/.well-known/jwks.json`, in seconds. */
export const JWKS_MAX_AGE = 300

/**
 * Seconds a `next` key is published before a scheduled rotation lets it sign: twice the JWKS
 * cache lifetime, so a verifier that fetched the JWKS just before the key appeared has
 * refetched (at least once) by then.
 */
export const KEY_PREPUBLISH = 2 * JWKS_MAX_AGE

/** How often every instance checks the store for a changed ring (the bus is the fast path). */
export const KEY_RELOAD_SECONDS = 10

/** How often every instance asks whether a scheduled rotation is due. */
export const ROTATION_CHECK_SECONDS = 60

/**
 * Seconds a retired key keeps verifying: the longest lifetime of any token it may have signed
 * (sliding tokens only when their views are mounted), plus the leeway verifiers grant.
 */
export function keyRetention(settings: ServerSettings): number {
  const lifetimes = [settings.ACCESS_TOKEN_LIFETIME, settings.REFRESH_TOKEN_LIFETIME]
  if (settings.SLIDING_TOKENS) {
    lifetimes.push(settings.SLIDING_TOKEN_LIFETIME, settings.SLIDING_TOKEN_REFRESH_LIFETIME)
  }
  const longest = Math.max(...lifetimes)
  return Math.ceil(longest + settings.LEEWAY)
}
