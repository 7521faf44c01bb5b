import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { CSRF_HEADER, checkCsrf } from './csrf-check.js'
import { sendCsrfFailure } from './csrf-failure.js'
import { type CookieToken, TokenCookies } from './token-cookies.js'
import type { TokenTransportMode, TokenTransportOptions } from './transport-options.js'

/** Tokens a login, a second factor or a refresh hands out. */
export interface IssuedPair {
  readonly access: CookieToken
  readonly refresh?: CookieToken
}

/**
 * Cookie mode of the API: which requests use cookies, the CSRF check they pass first, and the
 * cookies themselves. One instance per plugin; absent in body mode, which then costs nothing.
 */
export class CookieTransport {
  readonly mode: Exclude<TokenTransportMode, 'body'>
  readonly cookies: TokenCookies
  readonly #trustedOrigins: ReadonlySet<string>

  constructor(options: TokenTransportOptions & { mode: 'cookie' | 'both' }, tokenPath: string) {
    this.mode = options.mode
    this.cookies = new TokenCookies(options.secure ?? true, tokenPath)
    this.#trustedOrigins = new Set(options.trustedOrigins ?? [])
  }

  /**
   * Whether the tokens of this token-view request go in cookies: always in `cookie` mode; in
   * `both`, when the client says so by sending the CSRF header.
   */
  usesCookies(request: FastifyRequest): boolean {
    return this.mode === 'cookie' || request.headers[CSRF_HEADER] !== undefined
  }

  /** The access token of the access cookie, if any. */
  accessToken(request: FastifyRequest): string | undefined {
    return this.cookies.read(request, this.cookies.names.access)
  }

  /** The trusted-device token of the device cookie, if any. */
  deviceToken(request: FastifyRequest): string | undefined {
    return this.cookies.read(request, this.cookies.names.device)
  }

  /** The refresh token of the refresh cookie, if any. */
  refreshToken(request: FastifyRequest): string | undefined {
    return this.cookies.read(request, this.cookies.names.refresh)
  }

  /**
   * Runs the CSRF check; on failure answers the 403 and returns false. Call it before any other
   * work of an unsafe request that cookies authenticate or that will set them.
   */
  passCsrf(request: FastifyRequest, reply: FastifyReply): boolean {
    const csrf = this.cookies.read(request, this.cookies.names.csrf)
    const failure = checkCsrf(request, this.#trustedOrigins, csrf)
    if (failure === undefined) return true
    sendCsrfFailure(reply, failure)
    return false
  }

  /**
   * The CSRF token of this browser: the one its cookie holds, so that every tab keeps working
   * with the token it read, or a fresh one (32 random bytes) set in the cookie.
   */
  csrfToken(request: FastifyRequest, reply: FastifyReply): string {
    const current = this.cookies.read(request, this.cookies.names.csrf)
    if (current !== undefined && /^[A-Za-z0-9_-]{43}$/.test(current)) return current
    const token = randomBytes(32).toString('base64url')
    this.cookies.issueCsrf(reply, token)
    return token
  }

  /** Sets the cookies of a new pair or of a refresh. */
  issue(reply: FastifyReply, pair: IssuedPair): void {
    this.cookies.issue(reply, pair.access, pair.refresh)
  }

  /** Sets the cookie of a device just trusted (`remember_device`). */
  trustDevice(reply: FastifyReply, device: CookieToken): void {
    this.cookies.issueDevice(reply, device)
  }

  /** Clears the token cookies (logout). */
  clear(reply: FastifyReply): void {
    this.cookies.clear(reply)
  }
}

/** A token of the services as a cookie: its lifetime is its own `exp - iat`. */
export function cookieToken(token: {
  readonly token: string
  readonly exp: number
  readonly claims: Readonly<Record<string, unknown>>
}): CookieToken {
  const iat = typeof token.claims.iat === 'number' ? token.claims.iat : token.exp
  return { token: token.token, maxAgeSeconds: Math.max(0, token.exp - iat) }
}
