import { timingSafeEqual } from 'node:crypto'
import type { FastifyRequest } from 'fastify'

/** The request header carrying the double-submit token: Django's `X-CSRFToken`. */
export const CSRF_HEADER = 'x-csrftoken'

const UNSAFE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** True for the methods that change state (RFC 9110 9.2.1: all but GET, HEAD, OPTIONS, TRACE). */
export function isUnsafeMethod(method: string): boolean {
  return UNSAFE_METHODS.has(method)
}

/**
 * Decides whether an unsafe request carrying (or asking for) cookies may go on, the way
 * Django's CsrfViewMiddleware does, plus Fetch Metadata:
 * 1. `Sec-Fetch-Site: cross-site` is refused unless its `Origin` is trusted;
 * 2. an `Origin` must be the API's own or a trusted one; without `Origin`, an HTTPS `Referer`
 *    must be;
 * 3. the `X-CSRFToken` header must equal the CSRF cookie (double submit: a page of another
 *    site can make the browser send the cookie, never read it nor set the header).
 * Returns undefined when the request passes, else the reason (DRF's "CSRF Failed: <reason>").
 */
export function checkCsrf(
  request: FastifyRequest,
  trustedOrigins: ReadonlySet<string>,
  csrfCookie: string | undefined,
): string | undefined {
  const { headers } = request
  const origin = headerValue(headers.origin)
  const own = `${request.protocol}://${request.host}`
  const trusted = (value: string) => value === own || trustedOrigins.has(value)
  if (origin !== undefined) {
    if (!trusted(origin)) {
      return `Origin checking failed - ${printable(origin)} does not match any trusted origins.`
    }
  } else if (headerValue(headers['sec-fetch-site']) === 'cross-site') {
    return 'Cross-site request refused.'
  } else {
    const referer = headerValue(headers.referer)
    if (referer !== undefined && !trusted(originOf(referer) ?? '')) {
      return 'Referer checking failed - the Referer does not match any trusted origins.'
    }
  }
  const token = headerValue(headers[CSRF_HEADER])
  if (csrfCookie === undefined) return 'CSRF cookie not set.'
  if (token === undefined) return 'CSRF token missing.'
  return sameToken(token, csrfCookie) ? undefined : 'CSRF token incorrect.'
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

// Compared in constant time: the cookie is a secret the attacker is guessing at.
function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a)
  const right = Buffer.from(b)
  return left.length === right.length && timingSafeEqual(left, right)
}

// The origin is echoed as Django does, but bounded and printable: a header is not ours to replay.
function printable(value: string): string {
  const cleaned = value.replace(/[^\x20-\x7e]/g, '?')
  return cleaned.length > 100 ? `${cleaned.slice(0, 100)}...` : cleaned
}
