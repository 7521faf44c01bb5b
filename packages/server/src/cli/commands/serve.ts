import cluster from 'node:cluster'
import { parseWorkerCount, runPrimary, SHUTDOWN_MESSAGE } from '../../cluster/run-workers.js'
import { readFaultPoint } from '../../http/fault-points.js'
import { packageInfo } from '../../package-info.js'
import { loadServerConfig, type ServerConfig } from '../../settings/load-server-config.js'
import { startServer } from '../../start-server.js'
import { describeDatabase } from '../../stores/open-stores.js'
import { UsageError } from '../cli-errors.js'
import type { CliOutput } from '../cli-io.js'
import type { Command } from '../command.js'

/** Seconds `serve` waits for requests in flight after SIGTERM/SIGINT before giving up. */
const DRAIN_TIMEOUT_SECONDS = 10

function parsePort(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65_535) {
    throw new UsageError(
      `--port must be a number from 0 to 65535; got '${text.slice(0, 20)}'`,
      'serve',
    )
  }
  return Number(text)
}

function parseHost(text: string | undefined): string | undefined {
  if (text === undefined) return undefined
  if (text.trim() === '' || /\s/.test(text))
    throw new UsageError('--host must be an address', 'serve')
  return text
}

function describeKey(config: ServerConfig): string {
  const source = config.signingKey
  if (source.kind === 'settings') return 'from the settings (TESSERA_SIGNING_KEY)'
  if (source.kind === 'key-ring') {
    return `${config.settings.ALGORITHM} key ring in the store (tessera keys list; JWKS at /.well-known/jwks.json)`
  }
  return `development key ${source.created ? 'generated in' : 'from'} ${source.path} (set TESSERA_SIGNING_KEY in production)`
}

function printBanner(out: CliOutput, url: string, config: ServerConfig): void {
  out.write(
    `Tessera ${packageInfo().version} listening on ${url}\n` +
      `  API:          ${url}/api/\n` +
      `  Docs:         ${url}/docs\n` +
      `  Database:     ${describeDatabase(config.database)}\n` +
      `  Data dir:     ${config.settings.DATA_DIR}\n` +
      `  Signing key:  ${describeKey(config)}\n` +
      'Press Ctrl+C to stop.\n',
  )
}

/** The first SIGTERM/SIGINT, or in a `--workers` worker the primary's shutdown message. */
function nextSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => {
      process.removeListener('SIGTERM', onSignal)
      process.removeListener('SIGINT', onSignal)
      process.removeListener('message', onMessage)
      resolve(signal)
    }
    const onSignal = (signal: NodeJS.Signals) => done(signal)
    const onMessage = (message: unknown) => {
      if ((message as { type?: unknown } | null)?.type === SHUTDOWN_MESSAGE) done('shutdown')
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
    if (cluster.isWorker) process.on('message', onMessage)
  })
}

/** `tessera serve`: migrate, listen, stop gracefully on SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the auth server (migrates first)',
  usage:
    'tessera serve [--host 127.0.0.1] [--port 8000] [--workers 1] [--tls-cert PEM --tls-key PEM]',
  help: `Migrates the database, then serves the API under /api/, the docs at /docs, /openapi.json,
/healthz and /readyz. With no configuration: SQLite and a development signing key in ./.tessera
(TESSERA_DATA_DIR moves it). TESSERA_ENV=production refuses to start without an explicit,
strong TESSERA_SIGNING_KEY. On SIGTERM or SIGINT it stops accepting connections, lets requests
in flight finish (up to ${DRAIN_TIMEOUT_SECONDS} s), closes the database and exits 0. With a
certificate it serves HTTPS (and HSTS); on SIGHUP it re-reads the certificate and key for new
connections, so a renewal needs no restart. In production, plain HTTP on an address other
machines can reach is refused unless TESSERA_TRUST_PROXY names the proxy terminating TLS.

Options:
  --host ADDRESS   address to listen on (default: TESSERA_HOST or 127.0.0.1)
  --port PORT      port to listen on, 0 for any free port (default: TESSERA_PORT or 8000)
  --workers N      worker processes sharing the port (node:cluster), or 'auto' for one per
                   core (default 1); crashed workers are restarted, signals forwarded
  --tls-cert PEM   certificate (chain) file: serve HTTPS (default: TESSERA_TLS_CERT_FILE)
  --tls-key PEM    its private key file (default: TESSERA_TLS_KEY_FILE)
  -h, --help       show this help
`,
  options: {
    host: { type: 'string' },
    port: { type: 'string' },
    workers: { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
  },
  positionals: { min: 0, max: 0, names: '' },
  async run({ values, io }) {
    const host = parseHost(values.host as string | undefined)
    const port = parsePort(values.port as string | undefined)
    const tlsCert = values['tls-cert'] as string | undefined
    const tlsKey = values['tls-key'] as string | undefined
    const config = loadServerConfig({
      env: io.env,
      cwd: io.cwd,
      overrides: {
        ...(host === undefined ? {} : { HOST: host }),
        ...(port === undefined ? {} : { PORT: port }),
        ...(tlsCert === undefined ? {} : { TLS_CERT_FILE: tlsCert }),
        ...(tlsKey === undefined ? {} : { TLS_KEY_FILE: tlsKey }),
      },
    })
    // Test-only (fault-points.ts): read once here, refused without NODE_ENV=test.
    const faultPoint = readFaultPoint(io.env)
    const workers = parseWorkerCount(values.workers as string | undefined) ?? 1
    if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
      throw new UsageError(`--workers must be a count from 1 to 256 or 'auto'`, 'serve')
    }
    if (workers > 1 && cluster.isPrimary) {
      // The configuration was checked (and a development key created) once, here, before the
      // workers start: they read the same settings and key.
      io.stdout.write(`Tessera ${packageInfo().version}: starting ${workers} workers\n`)
      return runPrimary(
        workers,
        {
          info: (message) => io.stdout.write(`tessera serve: ${message}\n`),
          error: (message) => io.stderr.write(`tessera serve: ${message}\n`),
        },
        { forwardHangup: config.tls !== undefined },
      )
    }
    const { server, url } = await startServer(
      config,
      faultPoint === undefined ? {} : { faultPoint },
    )
    printBanner(io.stdout, url, config)
    // A renewed certificate, for new connections; a bad one is reported and the old one kept.
    const onHangup = () => {
      try {
        server.reloadTls()
        server.app.log.info('TLS certificate and key reloaded')
      } catch (error) {
        server.app.log.error({ err: { type: (error as Error).name } }, (error as Error).message)
      }
    }
    if (config.tls !== undefined) process.on('SIGHUP', onHangup)

    const signal = await nextSignal()
    server.app.log.info({ signal }, 'shutting down: draining requests in flight')
    // A second signal, or a drain that hangs, ends the process at once.
    const force = (reason: string) => {
      io.stderr.write(`tessera serve: ${reason}; exiting now\n`)
      process.exit(1)
    }
    if (cluster.isWorker) {
      // The primary owns the deadline; a terminal's Ctrl+C plus its message are one request.
      process.on('SIGTERM', () => {})
      process.on('SIGINT', () => {})
    } else {
      process.once('SIGTERM', () => force('second signal'))
      process.once('SIGINT', () => force('second signal'))
    }
    const timer = setTimeout(() => force('shutdown timed out'), DRAIN_TIMEOUT_SECONDS * 1000)
    timer.unref()
    process.removeListener('SIGHUP', onHangup)
    await server.close()
    clearTimeout(timer)
    io.stdout.write('Tessera stopped.\n')
    return 0
  },
}
