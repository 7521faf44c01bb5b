import type { RequestUser } from '@tessera/core'
import type { FastifyReply, FastifyRequest } from 'fastify'
import './fastify-types.js'

const ANONYMOUS: RequestUser = Object.freeze({ isAuthenticated: false })

/**
 * What both authentication hooks (the API's and the resource server's) do first: the request is
 * anonymous until a token says otherwise, and a route asking for `noStore` gets
 * `Cache-Control: no-store` before anything can answer (a 401 from the hook included). Returns
 * false when the request is not to be authenticated: a 404, or a route with `authenticate: false`.
 */
export function prepareRequest(request: FastifyRequest, reply: FastifyReply): boolean {
  request.user = ANONYMOUS
  if (request.is404) return false
  const config = request.routeOptions.config.tessera
  if (config?.noStore === true) reply.header('cache-control', 'no-store')
  return config?.authenticate !== false
}
