import { AuthService, publicErrorBody, type RevocationBus, type Stores } from '@tessera/core'
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify'
import { registerApiDocs } from './http/api-docs.js'
import { registerHealthRoutes } from './http/health-routes.js'
import { generateRequestId, type LogStream, loggerOptions } from './http/logger-options.js'
import { registerApi } from './http/register-api.js'
import { openRevocation, type ServerRevocation } from './revocation/open-revocation.js'
import { loadServerConfig, type ServerConfig } from './settings/load-server-config.js'
import type { ServerSettings } from './settings/server-settings.js'
import { fastifyTrustProxy } from './settings/trust-proxy-spec.js'
import { openStores } from './stores/open-stores.js'

/** Largest request body accepted, in bytes (16 KiB, api-contract.md); larger ones get 413. */
export const BODY_LIMIT_BYTES = 16 * 1024

/** Options of {@link buildServer}. */
export interface BuildServerOptions {
  /**
   * Stores to use instead of opening those `config.database` describes. They stay the caller's:
   * `close()` leaves them open. Default: opened (and migrated) by `buildServer`, closed by `close()`.
   */
  readonly stores?: Stores
  /** Where JSON log lines go. Default stdout. */
  readonly logStream?: LogStream
  /** `false` turns logging off (tests). Default: on, at `LOG_LEVEL`. */
  readonly logger?: false
  /** The revocation bus; default node:cluster IPC in a `--workers` worker, else in-process. */
  readonly revocationBus?: RevocationBus
}

/** A built, not yet listening, Tessera server. */
export interface TesseraServer {
  /** The Fastify instance: `app.listen()`, or `app.inject()` in tests. */
  readonly app: FastifyInstance
  /** The stores behind the services. */
  readonly stores: Stores
  /** The authentication services. */
  readonly auth: AuthService
  /** Every setting, `SIGNING_KEY` resolved. */
  readonly settings: ServerSettings
  /** The configuration the server was built from. */
  readonly config: ServerConfig
  /** Stops accepting connections, waits for requests in flight, then closes the stores it opened. */
  close(): Promise<void>
}

/**
 * Builds the Tessera server without listening: opens and migrates the stores, creates the
 * services, and a Fastify 5 instance with pino JSON logs (request ids, credentials redacted),
 * `trustProxy`, a 16 KiB body limit, OpenAPI 3.1 + Swagger UI (`/openapi.json`, `/docs`),
 * `/healthz`, `/readyz`, and the API of `@tessera/fastify` under `/api`.
 *
 * @param config - The checked configuration; default {@link loadServerConfig}`()` (environment,
 * `tessera.config.json`, the development key in `DATA_DIR`).
 * @example
 * const server = await buildServer(loadServerConfig())
 * await server.app.listen({ host: server.settings.HOST, port: server.settings.PORT })
 */
export async function buildServer(
  config: ServerConfig = loadServerConfig(),
  options: BuildServerOptions = {},
): Promise<TesseraServer> {
  const { settings } = config
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : loggerOptions({
            level: settings.LOG_LEVEL,
            ...(options.logStream === undefined ? {} : { stream: options.logStream }),
          }),
    genReqId: generateRequestId,
    trustProxy: fastifyTrustProxy(settings.TRUST_PROXY),
    bodyLimit: BODY_LIMIT_BYTES,
  })
  const ownsStores = options.stores === undefined
  let stores: Stores
  try {
    stores =
      options.stores ??
      (await openStores(config.database, {
        onPoolError: (error) =>
          app.log.error({ code: errorCode(error) }, 'idle database connection failed'),
      }))
  } catch (error) {
    await app.close()
    throw error
  }
  let revocation: ServerRevocation
  try {
    revocation = await openRevocation(stores, {
      leewaySeconds: settings.LEEWAY,
      ...(options.revocationBus === undefined ? {} : { bus: options.revocationBus }),
      onError: (error) =>
        app.log.error({ err: { type: (error as Error).name } }, 'revocation sync failed'),
    })
  } catch (error) {
    if (ownsStores) await stores.close()
    await app.close()
    throw error
  }
  const auth = new AuthService({
    stores,
    settings,
    revocation,
    reuseInterval: settings.REFRESH_REUSE_INTERVAL,
    ...(config.profileFields === undefined ? {} : { profileFields: config.profileFields }),
  })
  for (const warning of config.warnings) app.log.warn(warning)

  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= app.close()
    return closed
  }
  // onClose runs once the server has stopped and requests in flight are done.
  app.addHook('onClose', () => revocation.close())
  if (ownsStores) app.addHook('onClose', () => stores.close())
  try {
    app.addHook('onRequest', async (request, reply) => {
      reply.header('x-request-id', request.id)
    })
    app.setNotFoundHandler(notFound)
    app.setErrorHandler(serverError)
    await registerApiDocs(app)
    await registerHealthRoutes(app, stores)
    await registerApi(app, { auth, stores, settings })
  } catch (error) {
    await close()
    throw error
  }
  return { app, stores, auth, settings, config, close }
}

// Outside the API (whose plugin answers with DRF's bodies itself), the same bodies: 404
// `{"detail":"Not found."}`, and errors without a stack or an internal message.
function notFound(_request: FastifyRequest, reply: FastifyReply) {
  return reply.code(404).send(publicErrorBody('not_found'))
}

function serverError(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  const status = error.statusCode ?? 500
  if (status < 500) return reply.code(status).send({ detail: error.message })
  request.log.error({ err: { type: error.name, message: error.message } }, 'unexpected error')
  return reply.code(500).send(publicErrorBody('server_error'))
}

function errorCode(error: Error): string | undefined {
  const code = Reflect.get(error, 'code')
  return typeof code === 'string' ? code : undefined
}
