import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import { cookieNames } from '@tessera/fastify'
import type { FastifyInstance } from 'fastify'
import { packageInfo } from '../package-info.js'
import type { BrowserSettings } from '../settings/browser-settings.js'
import { describeOperation } from './openapi-operations.js'
import { DOCUMENT_HEADERS } from './response-headers.js'

/** Where the interactive docs are served. */
export const DOCS_PATH = '/docs'

/** Where the OpenAPI 3.1 document is served. */
export const OPENAPI_PATH = '/openapi.json'

// The UI's default CSP allows any https: font or style and the public validator's images;
// everything it loads comes from this server, so 'self' is enough. It also asks browsers to
// upgrade requests to https, which breaks the docs of a plain-http development server. Like
// every other response (X-Frame-Options: DENY), the page may not be framed, even by us.
function tightenCsp(header: string): string {
  return header
    .replace(/ https:/g, '')
    .replace(/ validator\.swagger\.io/g, '')
    .replace(/ ?upgrade-insecure-requests;?/g, '')
    .replace("frame-ancestors 'self'", "frame-ancestors 'none'")
}

/**
 * The API answers with and without the trailing slash (as DRF with APPEND_SLASH): document each
 * path once, in its canonical slash form.
 */
export function dropSlashlessTwins<T extends { paths?: Record<string, unknown> | undefined }>(
  document: T,
): T {
  const { paths } = document
  if (paths === undefined) return document
  const kept = Object.fromEntries(
    Object.entries(paths).filter(
      ([path]) => path.endsWith('/') || !Object.hasOwn(paths, `${path}/`),
    ),
  )
  return { ...document, paths: kept }
}

type SecuritySchemes = NonNullable<
  NonNullable<NonNullable<FastifyDynamicSwaggerOptions['openapi']>['components']>['securitySchemes']
>

/** The ways a request may authenticate: the bearer header, and in cookie modes the cookie. */
function securitySchemes(
  settings: Pick<BrowserSettings, 'TOKEN_TRANSPORT' | 'COOKIE_SECURE'>,
): SecuritySchemes {
  const bearerAuth = { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } as const
  if (settings.TOKEN_TRANSPORT === 'body') return { bearerAuth }
  const names = cookieNames(settings.COOKIE_SECURE)
  return {
    bearerAuth,
    cookieAuth: {
      type: 'apiKey',
      in: 'cookie',
      name: names.access,
      description:
        'Cookie mode: the HttpOnly access cookie set by POST /api/token/ (the refresh cookie, ' +
        `${names.refresh}, goes to /api/token/ only). Unsafe requests also send the CSRF token.`,
    },
    csrfToken: {
      type: 'apiKey',
      in: 'header',
      name: 'X-CSRFToken',
      description: `The value of GET /api/csrf/, equal to the ${names.csrf} cookie.`,
    },
  }
}

/**
 * Registers `@fastify/swagger` (OpenAPI 3.1 built from the schemas of the routes registered
 * after it, so call this first), Swagger UI at `/docs` (its assets served from the package, no
 * CDN, under a same-origin CSP, with the document headers) and `GET /openapi.json`. In cookie
 * modes the document describes the access cookie and the CSRF header too.
 */
export async function registerApiDocs(
  app: FastifyInstance,
  settings: Pick<BrowserSettings, 'TOKEN_TRANSPORT' | 'COOKIE_SECURE'>,
): Promise<void> {
  const info = packageInfo()
  await app.register(swagger, {
    transform: describeOperation(settings.TOKEN_TRANSPORT !== 'body') as never,
    transformObject: (documentObject) =>
      'openapiObject' in documentObject
        ? dropSlashlessTwins(documentObject.openapiObject)
        : documentObject.swaggerObject,
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tessera', version: info.version, description: info.description },
      components: { securitySchemes: securitySchemes(settings) },
      tags: [{ name: 'operations', description: 'Liveness and readiness probes' }],
    },
  })
  await app.register(swaggerUi, {
    routePrefix: DOCS_PATH,
    staticCSP: true,
    transformStaticCSP: tightenCsp,
    theme: { title: 'Tessera API' },
    uiConfig: { deepLinking: true, validatorUrl: null },
    // The docs are the server's only HTML: the document headers on top of everyone's.
    uiHooks: {
      onRequest: (_request, reply, done) => {
        reply.headers(DOCUMENT_HEADERS)
        done()
      },
    },
  })
  app.get(OPENAPI_PATH, { schema: { hide: true } }, async () => app.swagger())
}
