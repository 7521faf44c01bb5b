import type { Server as TlsServer } from 'node:tls'
import {
  AuthService,
  createTokenEngine,
  KeyEncryptionKey,
  PasswordHasher,
  type RevocationBus,
  type Stores,
  type ThrottleStore,
  type TokenEngine,
  type TokenSubject,
  tokenClaimsLoader,
} from '@tessera/core'
import { type MailTransport, OutboxSender } from '@tessera/core/mail'
import { registerJwksRoute } from '@tessera/fastify'
import Fastify, { type FastifyInstance } from 'fastify'
import { registerApiDocs } from './http/api-docs.js'
import { closeDraining } from './http/close-draining.js'
import { errorResponseOptions, registerErrorResponses } from './http/error-responses.js'
import { fastifyLogging } from './http/fastify-logging.js'
import { type FaultPoint, registerFaultPoint } from './http/fault-points.js'
import { registerHealthRoutes } from './http/health-routes.js'
import { httpServerOptions } from './http/http-server-options.js'
import { createLogger, generateRequestId, type LogStream } from './http/logger-options.js'
import { registerApi } from './http/register-api.js'
import { registerCors } from './http/register-cors.js'
import { setResponseHeaders } from './http/response-headers.js'
import { defaultWebDir, registerWebPages } from './http/web-pages.js'
import { JWKS_MAX_AGE, KEY_RELOAD_SECONDS } from './keys/key-ring-timing.js'
import { openServerKeyRing, type ServerKeyRing } from './keys/server-key-ring.js'
import { accountMailOptions, checkUniqueEmails } from './mail/account-mail-settings.js'
import { createMailTransport, type MailOutput } from './mail/mail-transports.js'
import { countingAuditWrites, metricsEnabled, registerMetrics } from './metrics/register-metrics.js'
import { type MetricsSources, ServerMetrics } from './metrics/server-metrics.js'
import { openBackplane } from './revocation/open-backplane.js'
import { openRevocation, type ServerRevocation } from './revocation/open-revocation.js'
import { loadServerConfig, type ServerConfig } from './settings/load-server-config.js'
import type { ServerSettings } from './settings/server-settings.js'
import { readTlsFiles } from './settings/tls-files.js'
import { hstsHeader } from './settings/tls-settings.js'
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
  /**
   * The revocation bus, left open by `close()`. Default: opened from the configuration
   * (`REDIS_URL`: Redis, with Redis throttle counters; PostgreSQL: LISTEN/NOTIFY; else
   * node:cluster IPC in a `--workers` worker, or in-process).
   */
  readonly revocationBus?: RevocationBus
  /** Delivers the outbox instead of the transport `EMAIL_BACKEND` names (tests, embedding). */
  readonly mailTransport?: MailTransport
  /** Where the console mail backend writes. Default stdout. */
  readonly mailOutput?: MailOutput
  /** Whether the outbox sender polls on its own. Default true; false: `mailSender.drain()`. */
  readonly startMailSender?: boolean
  /** The build of the pages (`WEB_PAGES`). Default `@tessera/web`'s `dist/`. */
  readonly webDir?: string

  /**
   * TEST-ONLY: a fault point at which the process kills itself (`serve` reads it from
   * `TESSERA_FAULT_POINT` with `NODE_ENV=test`; the fault suite uses it). Default: none.
   */
  readonly faultPoint?: FaultPoint
}

/** A built, not yet listening, Tessera server. */
export interface TesseraServer {
  /** The Fastify instance: `app.listen()`, or `app.inject()` in tests. */
  readonly app: FastifyInstance
  /** The stores behind the services. */
  readonly stores: Stores
  /** The authentication services. */
  readonly auth: AuthService
  /** Delivers the mail outbox (started unless `startMailSender` is false). */
  readonly mailSender: OutboxSender
  /** The signing-key ring, kept in step with the store (`keys.reload()` re-reads it now). */
  readonly keys: ServerKeyRing
  /** Every setting, `SIGNING_KEY` resolved. */
  readonly settings: ServerSettings
  /** The configuration the server was built from. */
  readonly config: ServerConfig
  /** Stops accepting connections, waits for requests in flight, then closes the stores it opened. */
  close(): Promise<void>
  /**
   * Serving HTTPS: re-reads the certificate and key (a renewal) and uses them for new
   * connections; open connections keep theirs. Throws, keeping the old pair, when the new files
   * do not make a TLS context. Does nothing over plain HTTP.
   */
  reloadTls(): void
}

/**
 * Builds the Tessera server without listening: opens and migrates the stores, creates the
 * services, and a Fastify 5 instance with pino JSON logs (request ids, credentials redacted),
 * `trustProxy`, a 16 KiB body limit, the request and keep-alive timeouts of the settings,
 * security headers, the contract's bodies for every error, OpenAPI 3.1 + Swagger UI
 * (`/openapi.json`, `/docs`), `/healthz`, `/readyz`, and the API of `@tessera/fastify` under
 * `/api`.
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
  const logger =
    options.logger === false
      ? undefined
      : createLogger({
          level: settings.LOG_LEVEL,
          ...(options.logStream === undefined ? {} : { stream: options.logStream }),
        })
  // Metrics (off by default): requests are observed where the access line is written (no hook
  // of their own), the auth events as the audit log is written, and the hashing queue through a
  // hasher of the server's own. The gauges read the stores and revocation view at scrape time.
  const hasher = metricsEnabled(settings)
    ? new PasswordHasher({ onQueueWait: (seconds) => metrics?.observeHashWait(seconds) })
    : undefined
  let gauges: Pick<MetricsSources, 'revocationView' | 'busUp' | 'stores'> | undefined
  const metrics = metricsEnabled(settings)
    ? new ServerMetrics({
        hasherLoad: () => hasher?.load ?? { running: 0, queued: 0 },
        revocationView: () =>
          gauges?.revocationView() ?? { accessTokens: 0, sessions: 0, cutoffs: 0 },
        busUp: () => gauges?.busUp() ?? false,
        stores: {
          mail: {
            list: (options) => gauges?.stores.mail.list(options) ?? Promise.resolve([]),
          } as Stores['mail'],
        },
      })
    : undefined
  const observe =
    metrics === undefined
      ? undefined
      : (method: string, route: string | undefined, status: number, ms: number) =>
          metrics.observeRequest(method, route ?? 'unmatched', status, ms / 1000)
  const logging =
    logger === undefined ? undefined : fastifyLogging(logger, settings.ACCESS_LOG, observe)
  const hsts = hstsHeader(settings)
  const app = Fastify({
    ...(config.tls === undefined ? {} : { https: { cert: config.tls.cert, key: config.tls.key } }),
    ...(logging === undefined ? { logger: false } : logging.options),
    genReqId: generateRequestId,
    trustProxy: fastifyTrustProxy(settings.TRUST_PROXY),
    bodyLimit: BODY_LIMIT_BYTES,
    // Routes are matched by generated code instead of a tree walk (find-my-way's compiler mode).
    routerOptions: { compile: true },
    ...errorResponseOptions(hsts),
    ...httpServerOptions(settings),
  })
  if (logging?.appLog !== undefined) app.log = logging.appLog
  // Everything opened so far, closed in reverse order on failure and by `close()`.
  const closers: (() => Promise<void> | void)[] = []
  const closeAll = async () => {
    for (const closer of closers.splice(0).reverse()) await closer()
  }
  const logError = (message: string) => (error: unknown) =>
    app.log.error(
      { err: { type: (error as Error).name, code: errorCode(error as Error) } },
      message,
    )
  let stores: Stores
  let revocation: ServerRevocation
  let keys: ServerKeyRing
  // Set once the services exist; a rotation heard before then is in the ring they start with.
  let tokens: TokenEngine<TokenSubject> | undefined
  let throttleStore: ThrottleStore | undefined
  // Tells the other instances that the key ring changed (an admin rotation); set with the bus.
  let announceKeys: () => Promise<void> = async () => {}
  try {
    if (options.stores === undefined) {
      stores = await openStores(config.database, {
        onPoolError: logError('idle database connection failed'),
        backgroundCheckpoints: true,
      })
      const opened = stores
      closers.push(() => opened.close())
    } else stores = options.stores
    let bus = options.revocationBus
    if (bus === undefined) {
      const backplane = await openBackplane(settings, config.database, {
        onError: logError('revocation bus or throttle store error'),
      })
      closers.push(() => backplane.close())
      bus = backplane.bus
      throttleStore = backplane.throttleStore
      app.log.info(`revocation bus: ${backplane.description}`)
    }
    const keyBus = bus
    announceKeys = () => keyBus.publish({ kind: 'keys' })
    revocation = await openRevocation(stores, {
      bus,
      leewaySeconds: settings.LEEWAY,
      graceSeconds: settings.REVOCATION_GRACE,
      reconcileSeconds: reconcileSeconds(config),
      onError: logError('revocation sync failed'),
      onBusStatus: (status) => {
        if (status === 'down') app.log.warn('revocation bus down: failing closed until it is back')
        else app.log.info('revocation bus up: catching up from the store')
      },
    })
    const opened = revocation
    closers.push(() => opened.close())
    keys = await openServerKeyRing(stores, settings, {
      bus,
      reloadSeconds: Math.min(reconcileSeconds(config), KEY_RELOAD_SECONDS),
      onError: logError('key ring reload or rotation failed'),
      onChange: (ring) => tokens?.useKeyRing(ring),
    })
    const openedKeys = keys
    closers.push(() => openedKeys.close())
  } catch (error) {
    await closeAll()
    await app.close()
    throw error
  }
  tokens = createTokenEngine(settings, {
    keyRing: keys.ring,
    revocation: revocation.view,
  })
  const openedView = revocation.view
  gauges = {
    revocationView: () => openedView.size,
    busUp: () => openedView.unsureSince === undefined,
    stores,
  }
  const serviceStores = metrics === undefined ? stores : countingAuditWrites(stores, metrics)
  const mailSender = new OutboxSender({
    outbox: serviceStores.mail,
    transport:
      options.mailTransport ??
      createMailTransport(
        settings,
        options.mailOutput === undefined ? {} : { consoleOutput: options.mailOutput },
      ),
    audit: (event) => serviceStores.audit.record(event),
    onError: logError('mail outbox failed'),
  })
  const auth = new AuthService({
    stores: serviceStores,
    ...optional('hasher', hasher),
    settings,
    tokens,
    revocation,
    reuseInterval: settings.REFRESH_REUSE_INTERVAL,
    ...optional('tokenClaims', tokenClaimsLoader(settings.TOKEN_CLAIMS, stores)),
    // The KEK that seals signing keys seals TOTP secrets too.
    ...(settings.KEY_ENCRYPTION_KEY === undefined
      ? {}
      : { keyEncryptionKey: KeyEncryptionKey.parse(settings.KEY_ENCRYPTION_KEY) }),
    ...(config.profileFields === undefined ? {} : { profileFields: config.profileFields }),
    loginField: settings.LOGIN_FIELD,
    passkeys: {
      rpId: settings.WEBAUTHN_RP_ID,
      rpName: settings.WEBAUTHN_RP_NAME,
      origins: settings.WEBAUTHN_ORIGINS,
      userVerification: settings.WEBAUTHN_USER_VERIFICATION,
    },
    mail: accountMailOptions(settings, config.mailSecret, {
      onEnqueued: () => mailSender.wake(),
      onBackgroundError: logError('mail request failed after its answer'),
    }),
  })
  // At close, after the requests: the mail they asked for is written, then delivered once more.
  closers.push(async () => {
    await auth.backgroundIdle()
    await mailSender.drain().catch(logError('mail outbox failed'))
    await mailSender.stop()
  })
  if (options.startMailSender !== false) mailSender.start()
  if (options.mailTransport === undefined) {
    app.log.info(
      settings.EMAIL_BACKEND === 'console'
        ? 'mail: console backend, messages (reset links included) are printed on stdout'
        : `mail: ${settings.EMAIL_BACKEND} backend`,
    )
  }
  for (const warning of config.warnings) app.log.warn(warning)
  if (settings.LOGIN_FIELD === 'email') {
    try {
      await checkUniqueEmails(stores)
    } catch (error) {
      await closeAll()
      await app.close()
      throw error
    }
  }

  let closed: Promise<void> | undefined
  const close = () => {
    closed ??= closeDraining(app)
    return closed
  }
  // onClose runs once the server has stopped and requests in flight are done.
  app.addHook('onClose', closeAll)
  // Logs are written in batches: the start-up lines (the bus, warnings) go out once the server
  // listens, before anyone reads its banner, and the last ones before close() resolves.
  app.addHook('onListen', (done) => {
    if (logger === undefined) done()
    else logger.flush(() => done())
  })
  app.addHook('onClose', (_app, done) => {
    if (logger === undefined) done()
    else logger.flush(() => done())
  })
  try {
    const bindRequestLogger = logging?.bindRequestLogger
    const startAccessLine = logging?.startAccessLine
    const refuses = registerErrorResponses(app)
    // The first hook of every request, 404s included (one hook: each stage costs).
    app.addHook('onRequest', (request, reply, done) => {
      bindRequestLogger?.(request, reply)
      startAccessLine?.(request, reply)
      setResponseHeaders(request, reply, hsts)
      if (!refuses(request, reply)) done()
    })
    await registerCors(app, settings)
    if (options.faultPoint !== undefined) registerFaultPoint(app, options.faultPoint)
    if (metrics !== undefined) {
      // Without a logger (embedding, tests) requests are timed by a hook of their own.
      closers.push(registerMetrics(app, metrics, settings, { hook: logging === undefined }))
    }
    await registerApiDocs(app, settings)
    await registerHealthRoutes(app, stores, revocation.view)
    registerJwksRoute(app, { keyRing: () => auth.tokens.keyRing, maxAge: JWKS_MAX_AGE })
    const { manager } = keys
    const ring = keys
    await registerApi(app, {
      auth,
      stores,
      settings,
      ...(manager === undefined
        ? {}
        : {
            adminKeys: {
              manager,
              // This instance signs with the new key at once; the others hear it on the bus.
              async changed() {
                await ring.reload(true)
                await announceKeys().catch(logError('key ring change could not be announced'))
              },
            },
          }),
      ...(throttleStore === undefined ? {} : { throttleStore }),
    })
    if (settings.WEB_PAGES) registerPages(app, settings, options.webDir ?? defaultWebDir())
  } catch (error) {
    await close()
    throw error
  }
  const reloadTls = () => {
    if (config.tls === undefined) return
    const files = readTlsFiles(
      { TLS_CERT_FILE: config.tls.certFile, TLS_KEY_FILE: config.tls.keyFile },
      '/',
    )
    if (files === undefined) return
    ;(app.server as unknown as TlsServer).setSecureContext({ cert: files.cert, key: files.key })
  }
  return { app, stores, auth, mailSender, keys, settings, config, close, reloadTls }
}

/**
 * The account pages and staff portal, when their build is there and the API sets cookies (the
 * pages hold no token: they sign in with cookies and CSRF).
 */
function registerPages(app: FastifyInstance, settings: ServerSettings, dir: string | null): void {
  if (settings.TOKEN_TRANSPORT === 'body') {
    app.log.info('web pages off: they need TOKEN_TRANSPORT=cookie or both')
  } else if (
    dir === null ||
    !registerWebPages(app, dir, {
      loginField: settings.LOGIN_FIELD,
      profileFields: settings.PROFILE_FIELDS.map((field) => field.name),
    })
  ) {
    app.log.warn('web pages off: @tessera/web is not built (npm run build)')
  }
}

/**
 * On SQLite no bus reaches other processes writing the file (the CLI, without Redis): reading
 * its indexed changes (revocations, the key ring's version) every second is cheap. Elsewhere
 * the bus carries them; the read is a net.
 */
function reconcileSeconds(config: ServerConfig): number {
  return config.database.kind === 'sqlite' && config.settings.REDIS_URL === undefined ? 1 : 30
}

/** `{ [key]: value }`, or nothing when value is undefined (exact optional properties). */
function optional<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V }
}

function errorCode(error: Error): string | undefined {
  const code = Reflect.get(error, 'code')
  return typeof code === 'string' ? code : undefined
}
