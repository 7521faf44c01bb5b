import type { CookieSerializeOptions } from '@fastify/cookie'
import type { FastifyReply, FastifyRequest } from 'fastify'

/** The names of the three cookies of cookie mode. */
export interface CookieNames {
  readonly access: string
  readonly refresh: string
  readonly csrf: string
  /** A trusted device's token (second factor skipped), sent to the token views only. */
  readonly device: string
}

/**
 * `__Host-` cookies are only accepted with `Secure`, `Path=/` and no `Domain`, so no sibling or
 * parent domain can plant or overwrite them (cookie tossing); `__Secure-` only with `Secure`
 * (RFC 6265bis 4.1.3). The refresh cookie needs a path of its own, so it takes `__Secure-`.
 */
export function cookieNames(secure: boolean): CookieNames {
  return secure
    ? {
        access: '__Host-tessera_access',
        refresh: '__Secure-tessera_refresh',
        csrf: '__Host-tessera_csrf',
        device: '__Secure-tessera_device',
      }
    : {
        access: 'tessera_access',
        refresh: 'tessera_refresh',
        csrf: 'tessera_csrf',
        device: 'tessera_device',
      }
}

/** A token to put in a cookie, and the seconds it lives (its `exp` minus its `iat`). */
export interface CookieToken {
  readonly token: string
  readonly maxAgeSeconds: number
}

/**
 * Writes and clears the token cookies. The access cookie goes with every request (`Path=/`,
 * `SameSite=Lax`); the refresh cookie only to the token views under `tokenPath` (refresh and
 * logout), and never on a cross-site navigation (`SameSite=Strict`).
 */
export class TokenCookies {
  readonly names: CookieNames
  readonly #secure: boolean
  readonly #tokenPath: string

  constructor(secure: boolean, tokenPath: string) {
    this.names = cookieNames(secure)
    this.#secure = secure
    this.#tokenPath = tokenPath
  }

  /** Sets the access cookie and, when given, the refresh cookie, each expiring with its token. */
  issue(reply: FastifyReply, access: CookieToken, refresh?: CookieToken): void {
    reply.setCookie(
      this.names.access,
      access.token,
      this.#options('/', 'lax', access.maxAgeSeconds),
    )
    if (refresh !== undefined) {
      reply.setCookie(
        this.names.refresh,
        refresh.token,
        this.#options(this.#tokenPath, 'strict', refresh.maxAgeSeconds),
      )
    }
  }

  /** Expires both token cookies (logout); the CSRF cookie stays for the next login. */
  clear(reply: FastifyReply): void {
    reply.clearCookie(this.names.access, this.#options('/', 'lax'))
    reply.clearCookie(this.names.refresh, this.#options(this.#tokenPath, 'strict'))
  }

  /**
   * Sets the trusted-device cookie: like the refresh cookie, only for the token views, and kept
   * across logouts (the device stays trusted until it is revoked or expires).
   */
  issueDevice(reply: FastifyReply, device: CookieToken): void {
    reply.setCookie(
      this.names.device,
      device.token,
      this.#options(this.#tokenPath, 'strict', device.maxAgeSeconds),
    )
  }

  /** Sets the CSRF cookie: a browser-session cookie, renewed by `GET <prefix>/csrf/`. */
  issueCsrf(reply: FastifyReply, value: string): void {
    reply.setCookie(this.names.csrf, value, this.#options('/', 'lax'))
  }

  /** The value of the named cookie of the request, if any. */
  read(request: FastifyRequest, name: string): string | undefined {
    const value = request.cookies[name]
    return value === undefined || value === '' ? undefined : value
  }

  #options(path: string, sameSite: 'lax' | 'strict', maxAge?: number): CookieSerializeOptions {
    const options: CookieSerializeOptions = { path, httpOnly: true, secure: this.#secure, sameSite }
    return maxAge === undefined ? options : { ...options, maxAge }
  }
}
