import type { FastifyReply, FastifyRequest } from 'fastify'
import type { CookieTransport } from '../browser/cookie-transport.js'
import { sendError, sendFieldErrors } from '../drf-responses.js'

/**
 * The cookies a token-view request (login, second factor, refresh, logout) answers with, after
 * its CSRF check: `undefined` for simplejwt's bodies, `null` when the check refused it (the 403
 * is sent). Login CSRF counts too: a forged login would sign the victim in to the attacker's
 * account.
 */
export function cookiesFor(
  cookies: CookieTransport | undefined,
  request: FastifyRequest,
  reply: FastifyReply,
): CookieTransport | undefined | null {
  if (cookies === undefined || !cookies.usesCookies(request)) return undefined
  return cookies.passCsrf(request, reply) ? cookies : null
}

/**
 * The refresh token a refresh or logout presents: its cookie, or simplejwt's `refresh` field.
 * Undefined when there is none, with the answer sent: 401 without a cookie, simplejwt's 400
 * without the field.
 */
export function presentedRefresh(
  request: FastifyRequest,
  reply: FastifyReply,
  cookies: CookieTransport | undefined,
  challenge: string,
): string | undefined {
  const refresh =
    cookies === undefined
      ? (request.body as { refresh?: string }).refresh
      : cookies.refreshToken(request)
  if (refresh !== undefined) return refresh
  if (cookies !== undefined) sendError(reply, 'not_authenticated', challenge)
  else sendFieldErrors(reply, { refresh: ['This field is required.'] })
  return undefined
}
