import type { FastifySchema, RouteOptions } from 'fastify'

/** The contract's error body: DRF's `{"detail", "code"?}`; field errors are `{"<field>": [...]}`. */
const ERROR_BODY = {
  type: 'object',
  properties: { detail: { type: 'string' }, code: { type: 'string' } },
  required: ['detail'],
} as const

const FIELD_ERRORS = {
  type: 'object',
  description: 'Field errors, DRF style: each field with its messages, or `detail` for the request',
  additionalProperties: { type: 'array', items: { type: 'string' } },
} as const

function error(description: string, body: object = ERROR_BODY) {
  return { description, content: { 'application/json': { schema: body } } }
}

/**
 * What every operation can answer besides its success, in the contract's shape
 * (docs/api-contract.md): 400 for bad input, 401/403 where a token or permission is needed, 429
 * when throttled (with `Retry-After`), 503 when the store is down. Added to the document only;
 * the routes' own response schemas stay as they are (they drive serialisation).
 */
function errorResponses(authenticated: boolean): Record<string, unknown> {
  return {
    400: error('Invalid input: field errors, or a request the server cannot read', FIELD_ERRORS),
    401: error(
      authenticated
        ? 'No token, or a bad one (`WWW-Authenticate: Bearer`)'
        : 'Refused credentials or token (`WWW-Authenticate: Bearer`)',
    ),
    ...(authenticated ? { 403: error('Signed in, but not allowed') } : {}),
    429: {
      ...error('Throttled: try again after `Retry-After` seconds'),
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
    },
    503: error('The store or revocation view is unavailable: retry after `Retry-After`'),
  }
}

/**
 * @fastify/swagger's per-route transform: operations that authenticate declare the ways a
 * request may (the bearer header, and in cookie modes the cookie with its CSRF header); every
 * operation lists its error answers.
 */
export function describeOperation(cookieMode: boolean) {
  const security = cookieMode
    ? [{ bearerAuth: [] }, { cookieAuth: [], csrfToken: [] }]
    : [{ bearerAuth: [] }]
  return ({
    schema,
    url,
    route,
  }: {
    schema: FastifySchema | undefined
    url: string
    route: Pick<RouteOptions, 'config'>
  }) => {
    if (schema === undefined || schema.hide === true) return { schema: schema ?? {}, url }
    const config = route.config as { tessera?: { authenticate?: boolean } } | undefined
    const api = url.startsWith('/api/') || url.startsWith('/auth/')
    const publicView = config?.tessera?.authenticate === false || !api
    const documented = schema as FastifySchema & { response?: Record<string, unknown> }
    const declared = documented.response ?? {}
    // An operation whose success body has no schema still says that it succeeds.
    const success = Object.keys(declared).some((status) => /^2/.test(status))
      ? {}
      : { 200: { description: 'Success (a JSON body)' } }
    return {
      url,
      schema: {
        ...documented,
        ...(publicView ? {} : { security }),
        response: { ...success, ...errorResponses(!publicView), ...declared },
      },
    }
  }
}
