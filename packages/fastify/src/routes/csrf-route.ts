import type { FastifyInstance } from 'fastify'
import type { CookieTransport } from '../browser/cookie-transport.js'
import { defineResource } from '../resource.js'
import { PUBLIC_VIEW } from './route-context.js'

/**
 * `GET <prefix>/csrf/` (cookie modes): the browser's CSRF token, to send back in `X-CSRFToken`.
 * A page on another origin cannot read the cookie, so it learns the token here; the CORS policy
 * lets only the allowed origins read this answer.
 */
export function registerCsrfRoute(
  app: FastifyInstance,
  cookies: CookieTransport,
  challenge: string,
): void {
  defineResource(
    app,
    '/csrf/',
    {
      GET: {
        options: {
          config: PUBLIC_VIEW,
          schema: {
            summary: 'The CSRF token of this browser, for the X-CSRFToken header (cookie mode)',
            tags: ['tokens'],
            response: {
              200: {
                type: 'object',
                properties: { csrf_token: { type: 'string' } },
                required: ['csrf_token'],
              },
            },
          },
        },
        handler: async (request, reply) => ({ csrf_token: cookies.csrfToken(request, reply) }),
      },
    },
    challenge,
  )
}
