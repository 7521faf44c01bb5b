import { isCutOff } from '../revocation/cutoff-rule.js'
import type { VerifiedToken } from '../tokens/token-types.js'
import type { ServiceContext } from './service-context.js'

/**
 * The store's answer to "was this token's session ended?", for the paths that ask the store
 * rather than the revocation view (verify, sliding refresh): one read. A token naming a session
 * needs that session to exist, belong to its user and be unrevoked; one whose session has
 * expired (an access token outliving its refresh chain), or one without a session, is then
 * judged by its user's cut-off.
 */
export async function checkSessionLive(
  context: ServiceContext,
  token: VerifiedToken,
): Promise<boolean> {
  const { sessionId, userId } = token
  if (sessionId !== undefined) {
    const session = await context.stores.sessions.findSession(sessionId)
    if (session === undefined || session.revokedAt !== null || session.userId !== userId) {
      return false
    }
    if (session.expiresAt > context.clock()) return true
  }
  return userId === undefined || !(await isCutOffInStore(context, token))
}

/** Whether the stored cut-off of the token's user refuses it (one read). */
export async function isCutOffInStore(
  context: ServiceContext,
  token: VerifiedToken,
): Promise<boolean> {
  if (token.userId === undefined) return false
  const cutoff = await context.stores.revocations.getCutoff(token.userId)
  return cutoff !== undefined && isCutOff(token, cutoff)
}
