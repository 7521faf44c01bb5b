import cluster, { type Worker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import { relayRevocations } from './cluster-revocation-bus.js'

/** The IPC message that tells a worker to drain and stop. */
export const SHUTDOWN_MESSAGE = 'tessera:shutdown'

/** Seconds the primary waits for workers to drain before it kills them. */
const STOP_TIMEOUT_SECONDS = 15

/** Crashes tolerated per minute before the primary gives up (a crash loop is not a service). */
const MAX_RESTARTS_PER_MINUTE = 10

/** `--workers`: a count, or `auto` for one worker per core. */
export function parseWorkerCount(text: string | undefined): number | undefined {
  if (text === undefined) return undefined
  if (text === 'auto') return availableParallelism()
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1) return Number.NaN
  return Number(text)
}

/** What the primary reports. */
export interface PrimaryLog {
  info(message: string): void
  error(message: string): void
}

/**
 * The primary of `tessera serve --workers N`: forks N workers that share the listening port,
 * relays revocation events between them, restarts a worker that dies unexpectedly, and on
 * SIGTERM/SIGINT forwards the signal and waits for every worker to drain; with
 * `forwardHangup` (serving HTTPS) SIGHUP goes to every worker. Resolves to the exit
 * code: 0 after a clean shutdown, 1 when workers crash in a loop.
 */
export function runPrimary(
  count: number,
  log: PrimaryLog,
  options: { readonly forwardHangup?: boolean } = {},
): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false
    let exitCode = 0
    const restarts: number[] = []
    const workers = () =>
      Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined)

    const fork = () => {
      const worker = cluster.fork()
      worker.on('message', (message: unknown) => relayRevocations(message, workers()))
    }

    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return
      stopping = true
      log.info(`received ${signal}: stopping ${workers().length} workers`)
      // A message rather than the signal: from a terminal, Ctrl+C already reached every worker
      // of the process group, and a forwarded second signal would mean "stop now".
      for (const worker of workers()) worker.send({ type: SHUTDOWN_MESSAGE })
      setTimeout(() => {
        for (const worker of workers()) worker.process.kill('SIGKILL')
      }, STOP_TIMEOUT_SECONDS * 1000).unref()
      if (workers().length === 0) resolve(exitCode)
    }
    process.on('SIGTERM', stop)
    process.on('SIGINT', stop)
    // Serving HTTPS, SIGHUP means "take the renewed certificate": every worker reloads its own.
    const hangup = () => {
      log.info(`received SIGHUP: ${workers().length} workers reload the TLS certificate`)
      for (const worker of workers()) worker.process.kill('SIGHUP')
    }
    if (options.forwardHangup === true) process.on('SIGHUP', hangup)

    cluster.on('exit', (worker, code, signal) => {
      if (stopping) {
        if (workers().length === 0) {
          process.removeListener('SIGTERM', stop)
          process.removeListener('SIGINT', stop)
          process.removeListener('SIGHUP', hangup)
          resolve(exitCode)
        }
        return
      }
      const now = Date.now()
      restarts.push(now)
      while (restarts.length > 0 && (restarts[0] as number) < now - 60_000) restarts.shift()
      log.error(`worker ${worker.id} exited (${signal ?? `code ${code}`}); restarting`)
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        log.error('workers keep crashing: giving up')
        exitCode = 1
        stop('SIGTERM')
        return
      }
      fork()
    })

    for (let i = 0; i < count; i++) fork()
  })
}
