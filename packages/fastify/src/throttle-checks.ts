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
import type { ThrottleCheck } from './routes/route-context.js'

/** Default rates: login attempts are limited out of the box, the rest is opt-in as in DRF. */
const DEFAULT_RATES = {
  anon: null,
  user: null,
  loginUsername: '5/min',
  loginIp: '20/min',
  register: '10/hour',
  mailEmail: '3/hour',
  mailIp: '10/hour',
} as const

/** The throttles of the API routes, built once from the plugin options. */
export function createThrottleChecks(options: TesseraPluginOptions): {
  throttleLogin: ThrottleCheck
  throttleRegister: ThrottleCheck
  throttleMail: ThrottleCheck
  throttleRequest: ThrottleCheck | undefined
} {
  const rates = { ...DEFAULT_RATES, ...options.throttleRates }
  const store = options.throttleStore ?? new MemoryThrottleStore()
  const login = new Throttler(store, [
    loginThrottle({ usernameRate: rates.loginUsername, ipRate: rates.loginIp }),
  ])
  const register = new Throttler(store, [scopedThrottle('register', rates.register)])
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
    throttleMail: (request, email) => mail.check({ ip: request.ip, username: email }, now()),
    throttleRequest:
      general && ((request) => general.check({ ip: request.ip, userId: userId(request) }, now())),
  }
}
