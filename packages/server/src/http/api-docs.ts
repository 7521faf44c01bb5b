import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'
import { packageInfo } from '../package-info.js'
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

/**
 * Registers `@fastify/swagger` (OpenAPI 3.1 built from the schemas of the routes registered
 * after it, so call this first), Swagger UI at `/docs` (its assets served from the package, no
 * CDN, under a same-origin CSP, with the document headers) and `GET /openapi.json`.
 */
export async function registerApiDocs(app: FastifyInstance): Promise<void> {
  const info = packageInfo()
  await app.register(swagger, {
    transformObject: (documentObject) =>
      'openapiObject' in documentObject
        ? dropSlashlessTwins(documentObject.openapiObject)
        : documentObject.swaggerObject,
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tessera', version: info.version, description: info.description },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
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
