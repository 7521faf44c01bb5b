import formBody from '@fastify/formbody'
import type { FastifyInstance } from 'fastify'
import { sendError } from './drf-responses.js'
import { drfValidatorCompiler } from './drf-validation.js'
import { createErrorHandler } from './error-handler.js'
import { describeJsonSyntaxError } from './json-syntax-error.js'
import { registerAccountRoutes } from './routes/account-routes.js'
import { registerAdminRoutes } from './routes/admin-routes.js'
import { registerDjoserRoutes } from './routes/djoser-routes.js'
import { registerMfaRoutes } from './routes/mfa-routes.js'
import { registerPasskeyRoutes } from './routes/passkey-routes.js'
import { passThrottle, type RouteContext } from './routes/route-context.js'
import { registerSessionRoutes } from './routes/session-routes.js'
import { registerTokenRoutes } from './routes/token-routes.js'

/**
 * The API routes in their own encapsulated scope (mounted under the prefix): DRF's parsers,
 * validation, error bodies and 404, without touching the host application's handlers.
 */
export async function apiRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  await prepareDrfScope(app, context)
  registerTokenRoutes(app, context)
  registerAccountRoutes(app, context)
  registerSessionRoutes(app, context)
  registerMfaRoutes(app, context)
  registerAdminRoutes(app, context)
  registerPasskeyRoutes(app, context)
}

/**
 * djoser's routes (`/auth/users/...`, `/auth/jwt/...`) in a scope of their own, prepared like
 * the API's: the second route module over the same services.
 */
export async function djoserApiRoutes(app: FastifyInstance, context: RouteContext): Promise<void> {
  await prepareDrfScope(app, context)
  registerDjoserRoutes(app, context)
}

/** What DRF does around every view: parsers, validation, error bodies, 404, throttles. */
async function prepareDrfScope(app: FastifyInstance, context: RouteContext): Promise<void> {
  const parseJson = app.getDefaultJsonParser('error', 'error')
  // Only JSON and form bodies, as DRF's default parsers: anything else is a 415.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, raw, done) => {
    const body = raw as string
    // DRF reads an empty JSON body as {} (then reports the missing fields).
    if (body.trim() === '') {
      done(null, {})
      return
    }
    try {
      JSON.parse(body)
    } catch {
      // V8's message quotes the body (a password...): say where it broke, never what is there.
      done(jsonParseError(describeJsonSyntaxError(body) ?? 'Invalid JSON'), undefined)
      return
    }
    // Fastify's parser then refuses __proto__ and constructor.prototype members.
    void parseJson(request, body, (error, value) =>
      done(error ? jsonParseError('Object contains forbidden prototype property') : null, value),
    )
  })
  // simplejwt's token views accept HTML form bodies too.
  await app.register(formBody)
  app.setValidatorCompiler(drfValidatorCompiler)
  app.setErrorHandler(createErrorHandler(context.challenge))
  // Tokens and personal data: no answer of the API may be stored (RFC 6749 5.1). A route that
  // says otherwise in its config keeps its word.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, tessera: { noStore: true, ...route.config?.tessera } }
  })
  app.setNotFoundHandler((_request, reply) =>
    sendError(reply.header('cache-control', 'no-store'), 'not_found', context.challenge),
  )
  const { throttleRequest } = context
  if (throttleRequest !== undefined) {
    // DRF's DEFAULT_THROTTLE_CLASSES: after authentication, before the view.
    app.addHook('preHandler', async (request, reply) => {
      if (!(await passThrottle(throttleRequest, request, reply))) return reply
    })
  }
}

/** A parse failure whose message is the contract's reason: Tessera's own words, no input. */
function jsonParseError(reason: string): Error {
  return Object.assign(new Error(reason), { code: 'TESSERA_JSON_PARSE', statusCode: 400 })
}
