import type { KeyRing } from '@tessera/core'
import type { FastifyInstance } from 'fastify'

/** Options of {@link registerJwksRoute}. */
export interface JwksRouteOptions {
  /** The ring now (read on every request, so a rotation shows at once). */
  readonly keyRing: () => KeyRing
  /**
   * `Cache-Control: max-age` in seconds. Keep it shorter than the time a `next` key is
   * published before it signs, so every cache has seen a key before tokens carry it.
   */
  readonly maxAge: number
  /** Where to serve it. Default `/.well-known/jwks.json`. */
  readonly path?: string
}

const jwkSchema = {
  type: 'object',
  properties: {
    kty: { type: 'string' },
    kid: { type: 'string' },
    alg: { type: 'string' },
    use: { type: 'string' },
    crv: { type: 'string' },
    x: { type: 'string' },
    y: { type: 'string' },
    n: { type: 'string' },
    e: { type: 'string' },
  },
  required: ['kty', 'kid', 'alg', 'use'],
  // Only public members ever leave: the schema drops anything else (`d`, `p`, `k`, ...).
  additionalProperties: false,
}

/**
 * `GET /.well-known/jwks.json`: the public keys of the ring that may verify now (current, next,
 * retired keys inside their window; never an HMAC secret), as RFC 7517 JWKS, cacheable for
 * `maxAge` seconds. Resource servers verify Tessera's tokens with it, without calling Tessera.
 */
export function registerJwksRoute(app: FastifyInstance, options: JwksRouteOptions): void {
  if (!Number.isInteger(options.maxAge) || options.maxAge < 0) {
    throw new TypeError('registerJwksRoute: maxAge must be a non-negative integer of seconds')
  }
  const cacheControl = `public, max-age=${options.maxAge}`
  app.get(
    options.path ?? '/.well-known/jwks.json',
    {
      schema: {
        response: {
          200: {
            type: 'object',
            properties: { keys: { type: 'array', items: jwkSchema } },
            required: ['keys'],
            additionalProperties: false,
          },
        },
      },
    },
    (_request, reply) => {
      reply.header('cache-control', cacheControl)
      return options.keyRing().toJwks()
    },
  )
}
