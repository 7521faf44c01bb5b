import type { IssuedToken, LoginResult, RefreshResult } from '@tessera/core'
import type { FastifyReply } from 'fastify'
import { type CookieTransport, cookieToken } from '../browser/cookie-transport.js'
import type { TesseraPluginOptions } from '../plugin-options.js'

const iso = (seconds: number) => new Date(seconds * 1000).toISOString()
const lifetime = (token: IssuedToken) => cookieToken(token).maxAgeSeconds

/** A login's body: simplejwt's pair, or in cookie mode only when the access token expires. */
export interface LoginBody {
  readonly refresh?: string
  readonly access?: string
  readonly access_expires_at?: string
  readonly access_expires_in?: number
  readonly device_token?: string
  readonly user?: Readonly<Record<string, string>>
}

/**
 * The one place a new pair or a refresh becomes an answer: simplejwt's bodies (with the
 * `responseExtras`), or in cookie mode the cookies plus `access_expires_at` and
 * `access_expires_in` (seconds, as OAuth's `expires_in`: right whatever the client's clock), so
 * that a client that cannot read its tokens still knows when to refresh. Every flow that signs a user in
 * (password, second factor) answers through `login`.
 */
export function tokenBodies(
  extras: NonNullable<TesseraPluginOptions['responseExtras']>,
  deviceLifetimeSeconds = 30 * 86_400,
) {
  const expiresAt = (access: IssuedToken, cookies: CookieTransport | undefined) => {
    if (cookies !== undefined) {
      return { access_expires_at: iso(access.exp), access_expires_in: lifetime(access) }
    }
    return extras.accessExpiresAt === true ? { access_expires_at: iso(access.exp) } : {}
  }
  return {
    /** A login, by password or second factor; `deviceToken` when the device was just trusted. */
    login(
      reply: FastifyReply,
      cookies: CookieTransport | undefined,
      login: LoginResult & { readonly deviceToken?: string | undefined },
    ): LoginBody {
      const user =
        extras.user === true
          ? {
              user: {
                id: login.user.id,
                username: login.user.username,
                email: login.user.email,
                first_name: login.user.firstName,
                last_name: login.user.lastName,
              },
            }
          : {}
      const { deviceToken } = login
      if (cookies !== undefined) {
        cookies.issue(reply, {
          access: cookieToken(login.access),
          refresh: cookieToken(login.refresh),
        })
        if (deviceToken !== undefined) {
          cookies.trustDevice(reply, { token: deviceToken, maxAgeSeconds: deviceLifetimeSeconds })
        }
        return { ...expiresAt(login.access, cookies), ...user }
      }
      return {
        refresh: login.refresh.token,
        access: login.access.token,
        ...expiresAt(login.access, cookies),
        ...(deviceToken === undefined ? {} : { device_token: deviceToken }),
        ...user,
      }
    },

    refresh(reply: FastifyReply, cookies: CookieTransport | undefined, result: RefreshResult) {
      if (cookies !== undefined) {
        cookies.issue(reply, {
          access: cookieToken(result.access),
          ...(result.refresh === undefined ? {} : { refresh: cookieToken(result.refresh) }),
        })
        return expiresAt(result.access, cookies)
      }
      return {
        access: result.access.token,
        ...(result.refresh === undefined ? {} : { refresh: result.refresh.token }),
        ...expiresAt(result.access, cookies),
      }
    },
  }
}

/** The bodies (or cookies) of the views answering a pair, with the plugin's options. */
export function pairBodies(context: {
  readonly options: TesseraPluginOptions
  readonly settings: { readonly MFA_TRUSTED_DEVICE_LIFETIME: number }
}) {
  return tokenBodies(
    context.options.responseExtras ?? {},
    context.settings.MFA_TRUSTED_DEVICE_LIFETIME,
  )
}
