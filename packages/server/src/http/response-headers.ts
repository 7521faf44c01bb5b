import type { FastifyReply, FastifyRequest } from 'fastify'

/**
 * The security headers of every response, those a JSON API needs (OWASP REST Security Cheat
 * Sheet): the API's answers are data, never documents. Constant, so they are set in the
 * server's one `onRequest` hook rather than by @fastify/helmet, which rebuilds its middleware
 * on every request: measured with `npm run bench:instructions`, helmet doubled the
 * instructions of an authenticated GET (+75k; +38k even cut down to these two headers), and
 * every header costs about 2.7k instructions in Fastify and Node, so the API gets only those
 * that protect it (cross-origin reads of JSON are already blocked by nosniff + ORB/CORB).
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  // Browsers must not guess a type: a JSON body is never run as a script or shown as a page.
  'x-content-type-options': 'nosniff',
  // Nothing loads from an API response, and nothing frames it. The docs page sets its own.
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
})

/**
 * The headers of the HTML pages (the docs), on top of {@link SECURITY_HEADERS}: what helmet
 * sets for documents, for browsers without CSP frame-ancestors, links followed from the page,
 * and cross-origin windows or no-cors loads.
 */
export const DOCUMENT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
})

/**
 * HSTS by default (`SECURE_HSTS_SECONDS` changes it), sent over HTTPS only: a host must not send
 * it over plain HTTP (RFC 6797 7.2).
 */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains'

const NAMES = Object.keys(SECURITY_HEADERS)
const VALUES = Object.values(SECURITY_HEADERS)

/**
 * Sets the headers every response of the server carries: its request id, the security
 * headers, HSTS when the request came over HTTPS (directly or through a trusted proxy). Called
 * first thing in the server's one `onRequest` hook, and for the answers Fastify gives outside
 * the hooks (framework errors).
 */
export function setResponseHeaders(
  request: FastifyRequest,
  reply: FastifyReply,
  hsts: string | null = STRICT_TRANSPORT_SECURITY,
): void {
  reply.header('x-request-id', request.id)
  for (let i = 0; i < NAMES.length; i++) reply.header(NAMES[i] as string, VALUES[i])
  if (hsts !== null && request.protocol === 'https') {
    reply.header('strict-transport-security', hsts)
  }
}

/**
 * The same headers for an answer written straight to the socket (no request was parsed), as
 * `name: value` lines, with `Cache-Control: no-store`: such an answer is never worth keeping.
 */
export function rawResponseHeaderLines(
  requestId: string,
  encrypted: boolean,
  hsts: string | null = STRICT_TRANSPORT_SECURITY,
): string[] {
  return [
    `x-request-id: ${requestId}`,
    ...NAMES.map((name, i) => `${name}: ${VALUES[i]}`),
    ...(encrypted && hsts !== null ? [`strict-transport-security: ${hsts}`] : []),
    'cache-control: no-store',
  ]
}
