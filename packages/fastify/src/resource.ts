import type {
  FastifyInstance,
  HTTPMethods,
  RouteHandlerMethod,
  RouteShorthandOptions,
} from 'fastify'
import { sendError } from './drf-responses.js'
import './fastify-types.js'

/** One method of a resource: its handler and route options (schema, config, hooks...). */
export interface ResourceMethod {
  readonly handler: RouteHandlerMethod
  readonly options?: RouteShorthandOptions
}

const ALL_METHODS: HTTPMethods[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']

/**
 * Registers a DRF-style resource: `path` with and without its trailing slash, the given
 * methods, and 405 `{"detail":"Method \"X\" not allowed."}` with an `Allow` header for the rest
 * (Fastify alone would answer 404). HEAD follows GET, as in Django. OPTIONS and 405 take the
 * route config and `preHandler` of the first method given: one DRF view, one set of permissions.
 */
export function defineResource(
  app: FastifyInstance,
  path: string,
  methods: Partial<Record<'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', ResourceMethod>>,
  challenge: string,
): void {
  const withSlash = path.endsWith('/') ? path : `${path}/`
  const urls = [withSlash, withSlash.slice(0, -1)]
  const defined = Object.keys(methods) as HTTPMethods[]
  const allowed = [...defined, ...(defined.includes('GET') ? ['HEAD' as const] : []), 'OPTIONS']
  const others = ALL_METHODS.filter((method) => !allowed.includes(method))
  // DRF's dispatch runs initial() (authentication, permissions, throttles) before it looks the
  // method up: OPTIONS and 405 answers pass the resource's own authentication and guard first.
  const first = methods[defined[0] as keyof typeof methods]?.options
  const gate: RouteShorthandOptions = {
    config: first?.config ?? {},
    // The OPTIONS and 405 answers are HTTP's, not operations of the API: out of OpenAPI.
    schema: { hide: true },
    ...(first?.preValidation === undefined ? {} : { preValidation: first.preValidation }),
    ...(first?.preHandler === undefined ? {} : { preHandler: first.preHandler }),
  }
  for (const url of urls) {
    for (const method of defined) {
      const entry = methods[method as keyof typeof methods] as ResourceMethod
      app.route({ ...entry.options, method, url, handler: entry.handler })
    }
    app.route({
      ...gate,
      method: 'OPTIONS',
      url,
      handler: async (_request, reply) => reply.header('allow', allowed.join(', ')).send({}),
    })
    if (others.length > 0) {
      app.route({
        ...gate,
        method: others,
        url,
        handler: async (request, reply) => {
          void reply.header('allow', allowed.join(', '))
          return sendError(reply, 'method_not_allowed', challenge, { method: request.method })
        },
      })
    }
  }
}
