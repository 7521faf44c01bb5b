import {
  anonThrottle,
  loginThrottle,
  MemoryThrottleStore,
  mailThrottle,
  scopedThrottle,
  Throttler,
  userThrottle,
} from '@tessera/core'
import type { FastifyRequest } from 'fastify'
import type { TesseraPluginOptions } from './plugin-options.js'
import type { MfaThrottleCheck, ThrottleCheck } from './routes/route-context.js'

/** Default rates: login attempts are limited out of the box, the rest is opt-in as in DRF. */
const DEFAULT_RATES = {
  anon: null,
  user: null,
  loginUsername: '5/min',
  loginIp: '20/min',
  register: '10/hour',
  mfaToken: '5/min',
  mfaUser: '10/hour',
  mailEmail: '3/hour',
  mailIp: '10/hour',
} as const

/** The throttles of the API routes, built once from the plugin options. */
export function createThrottleChecks(options: TesseraPluginOptions): {
  throttleLogin: ThrottleCheck
  throttleRegister: ThrottleCheck
  throttleMfa: MfaThrottleCheck
  throttleMail: ThrottleCheck
  throttleRequest: ThrottleCheck | undefined
} {
  const rates = { ...DEFAULT_RATES, ...options.throttleRates }
  const store = options.throttleStore ?? new MemoryThrottleStore()
  const login = new Throttler(store, [
    loginThrottle({ usernameRate: rates.loginUsername, ipRate: rates.loginIp }),
  ])
  const register = new Throttler(store, [scopedThrottle('register', rates.register)])
  // Two scopes, each keyed by the id given as `userId`: the token's jti, and the account.
  const mfaToken = new Throttler(store, [scopedThrottle('mfa_token', rates.mfaToken)])
  const mfaUser = new Throttler(store, [scopedThrottle('mfa_user', rates.mfaUser)])
  const mail = new Throttler(store, [
    mailThrottle({ emailRate: rates.mailEmail, ipRate: rates.mailIp }),
  ])
  const general =
    rates.anon === null && rates.user === null
      ? undefined
      : new Throttler(store, [anonThrottle(rates.anon), userThrottle(rates.user)])
  const now = () => Date.now() / 1000
  const userId = (request: FastifyRequest) =>
    request.user.isAuthenticated ? request.user.id : undefined
  return {
    throttleLogin: (request, username) => login.check({ ip: request.ip, username }, now()),
    throttleRegister: (request) => register.check({ ip: request.ip, scope: 'register' }, now()),
    throttleMfa: async (request, { userId, tokenId }) => {
      // Both buckets are charged on every attempt, as the login throttle's; the longer wait wins.
      const byUser = await mfaUser.check({ ip: request.ip, userId, scope: 'mfa_user' }, now())
      const byToken =
        tokenId === undefined
          ? undefined
          : await mfaToken.check({ ip: request.ip, userId: tokenId, scope: 'mfa_token' }, now())
      if (byToken !== undefined && !byToken.allowed) {
        return byUser.allowed
          ? byToken
          : {
              allowed: false,
              retryAfterSeconds: Math.max(byToken.retryAfterSeconds, byUser.retryAfterSeconds),
            }
      }
      return byUser
    },
    throttleMail: (request, email) => mail.check({ ip: request.ip, username: email }, now()),
    throttleRequest:
      general && ((request) => general.check({ ip: request.ip, userId: userId(request) }, now())),
  }
}
