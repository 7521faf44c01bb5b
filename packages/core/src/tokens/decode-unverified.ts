import { TokenInvalidError } from '../errors/token-errors.js'
import { decodeJsonSegment, type JsonObject, layoutCompact } from '../jws/compact.js'

/** What {@link decodeUnverified} returns: the token's header and claims, NOT verified. */
export interface UnverifiedToken {
  readonly header: Readonly<JsonObject>
  readonly claims: Readonly<JsonObject>
  /** Always false: a reminder, wherever this value travels, that nothing was checked. */
  readonly verified: false
}

/**
 * Decodes a token WITHOUT checking its signature or claims, for debugging and the CLI's
 * `token decode`. Never use the result to make an authentication decision. Still parses
 * strictly: a malformed token throws {@link TokenInvalidError}.
 */
export function decodeUnverified(token: string): UnverifiedToken {
  const layout = layoutCompact(token)
  if (layout === undefined)
    throw new TokenInvalidError('token_malformed', 'not a canonical JWS compact token')
  const header = decodeJsonSegment(token, 0, layout.headerEnd)
  const claims = decodeJsonSegment(token, layout.headerEnd + 1, layout.payloadEnd)
  if (header === undefined || claims === undefined) {
    throw new TokenInvalidError('token_malformed', 'header or payload is not a JSON object')
  }
  return { header, claims, verified: false }
}
