import { AuthenticationFailedError } from '../errors/request-errors.js'
import { TokenRevokedError } from '../errors/token-errors.js'
import type { IssuedToken } from '../tokens/token-issuer.js'
import { newJti } from '../tokens/token-issuer.js'
import { authenticate, recordSession } from './login.js'
import { requireSecondFactor } from './mfa-login.js'
import type { RequestContext, ServiceContext } from './service-context.js'
import { checkSessionLive } from './session-checks.js'

/**
 * simplejwt's `TokenObtainSlidingView`: authenticates and returns a sliding token. The token
 * opens a session like a login does (its jti stands as the family's one token, refreshable
 * until `refresh_exp`), so logout everywhere and the sessions list cover sliding logins too.
 * Throws {@link AuthenticationFailedError} for every kind of failure alike.
 */
export async function obtainSlidingToken(
  context: ServiceContext,
  username: unknown,
  password: unknown,
  request: RequestContext,
): Promise<IssuedToken> {
  const user = await authenticate(context, username, password)
  if (user === undefined) throw new AuthenticationFailedError()
  // The second step (`/api/token/mfa/`) answers a refresh + access pair.
  await requireSecondFactor(context, user, undefined)
  const sessionId = newJti()
  const extra = await context.tokenClaims?.(user)
  const token = context.tokens.issuer.issueSlidingToken(user, sessionId, extra)
  const usableUntil = token.claims[context.settings.SLIDING_TOKEN_REFRESH_EXP_CLAIM] as number
  await recordSession(context, {
    sessionId,
    userId: user.id,
    request,
    token: { ...token, usableUntil },
  })
  return token
}

/**
 * simplejwt's `TokenRefreshSlidingView`: a sliding token still within its `refresh_exp` gets a
 * renewed `exp`, unless its session ended (or, for a token without one, its user was cut off).
 */
export async function refreshSlidingToken(
  context: ServiceContext,
  token: string,
): Promise<IssuedToken> {
  const result = context.tokens.verifier.verify(
    token,
    'sliding',
    context.settings.SLIDING_TOKEN_REFRESH_EXP_CLAIM,
  )
  if (!result.ok) throw result.error
  if (!(await checkSessionLive(context, result.token))) throw new TokenRevokedError()
  return context.tokens.issuer.refreshSlidingToken(result.token)
}
