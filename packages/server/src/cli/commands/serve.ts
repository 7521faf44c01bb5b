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

function nextSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.removeListener('SIGTERM', onSignal)
      process.removeListener('SIGINT', onSignal)
      resolve(signal)
    }
    process.once('SIGTERM', onSignal)
    process.once('SIGINT', onSignal)
  })
}

/** `tessera serve`: migrate, listen, stop gracefully on SIGTERM/SIGINT. */
export const serveCommand: Command = {
  name: 'serve',
  summary: 'Run the auth server (migrates first)',
  usage: 'tessera serve [--host 127.0.0.1] [--port 8000]',
  help: `Migrates the database, then serves the API under /api/, the docs at /docs, /openapi.json,
/healthz and /readyz. With no configuration: SQLite and a development signing key in ./.tessera
(TESSERA_DATA_DIR moves it). TESSERA_ENV=production refuses to start without an explicit,
strong TESSERA_SIGNING_KEY. On SIGTERM or SIGINT it stops accepting connections, lets requests
in flight finish (up to ${DRAIN_TIMEOUT_SECONDS} s), closes the database and exits 0.

Options:
  --host ADDRESS   address to listen on (default: TESSERA_HOST or 127.0.0.1)
  --port PORT      port to listen on, 0 for any free port (default: TESSERA_PORT or 8000)
  -h, --help       show this help
`,
  options: { host: { type: 'string' }, port: { type: 'string' } },
  positionals: { min: 0, max: 0, names: '' },
  async run({ values, io }) {
    const host = parseHost(values.host as string | undefined)
    const port = parsePort(values.port as string | undefined)
    const config = loadServerConfig({
      env: io.env,
      cwd: io.cwd,
      overrides: {
        ...(host === undefined ? {} : { HOST: host }),
        ...(port === undefined ? {} : { PORT: port }),
      },
    })
    const { server, url } = await startServer(config)
    printBanner(io.stdout, url, config)

    const signal = await nextSignal()
    server.app.log.info({ signal }, 'shutting down: draining requests in flight')
    // A second signal, or a drain that hangs, ends the process at once.
    const force = (reason: string) => {
      io.stderr.write(`tessera serve: ${reason}; exiting now\n`)
      process.exit(1)
    }
    process.once('SIGTERM', () => force('second signal'))
    process.once('SIGINT', () => force('second signal'))
    const timer = setTimeout(() => force('shutdown timed out'), DRAIN_TIMEOUT_SECONDS * 1000)
    timer.unref()
    await server.close()
    clearTimeout(timer)
    io.stdout.write('Tessera stopped.\n')
    return 0
  },
}
