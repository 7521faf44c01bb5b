import type { AuthService, Stores, ThrottleStore } from '@tessera/core'
import { type AdminKeyRing, tesseraPlugin } from '@tessera/fastify'
import type { FastifyInstance } from 'fastify'
import type { ServerSettings } from '../settings/server-settings.js'

/** Where the API routes are mounted. */
export const API_PREFIX = '/api'

/** What the API routes are built from. */
export interface ApiDependencies {
  readonly auth: AuthService
  readonly stores: Stores
  readonly settings: ServerSettings
  /** Shared throttle counters (Redis); default per process. */
  readonly throttleStore?: ThrottleStore
  /** The key ring the admin API manages, when keys live in the store. */
  readonly adminKeys?: AdminKeyRing
}

/**
 * Mounts the Tessera API (`@tessera/fastify`: the simplejwt routes, `request.user`, DRF error
 * bodies) under `/api`, and djoser's routes under `/auth` (`AUTH_ROUTES`), with the throttle
 * rates, token transport and options of the settings.
 */
export async function registerApi(app: FastifyInstance, deps: ApiDependencies): Promise<void> {
  const { settings } = deps
  await app.register(tesseraPlugin, {
    auth: deps.auth,
    stores: deps.stores,
    settings,
    prefix: API_PREFIX,
    slidingTokens: settings.SLIDING_TOKENS,
    transport: {
      mode: settings.TOKEN_TRANSPORT,
      secure: settings.COOKIE_SECURE,
      trustedOrigins: [...settings.CORS_ALLOWED_ORIGINS, ...settings.CSRF_TRUSTED_ORIGINS],
    },
    ...(deps.throttleStore === undefined ? {} : { throttleStore: deps.throttleStore }),
    ...(deps.adminKeys === undefined ? {} : { adminKeys: deps.adminKeys }),
    throttleRates: {
      anon: settings.THROTTLE_ANON,
      user: settings.THROTTLE_USER,
      loginUsername: settings.THROTTLE_LOGIN_USERNAME,
      loginIp: settings.THROTTLE_LOGIN_IP,
      register: settings.THROTTLE_REGISTER,
      mfaToken: settings.THROTTLE_MFA_TOKEN,
      mfaUser: settings.THROTTLE_MFA_USER,
      mailEmail: settings.THROTTLE_MAIL_EMAIL,
      mailIp: settings.THROTTLE_MAIL_IP,
    },
    djoser: settings.AUTH_ROUTES && {
      userCreatePasswordRetype: settings.USER_CREATE_PASSWORD_RETYPE,
      setPasswordRetype: settings.SET_PASSWORD_RETYPE,
      passwordResetConfirmRetype: settings.PASSWORD_RESET_CONFIRM_RETYPE,
      setUsernameRetype: settings.SET_USERNAME_RETYPE,
      usernameResetConfirmRetype: settings.USERNAME_RESET_CONFIRM_RETYPE,
    },
  })
}
