#!/usr/bin/env node
/**
 * The `tessera` executable: runs {@link runCli} with the process's arguments and exits with its
 * status. Anything thrown past the commands ends as one line, never a stack trace.
 */
import cluster from 'node:cluster'
import { runCli } from './cli/run-cli.js'

function fail(error: unknown): void {
  const message = error instanceof Error ? error.message : 'unexpected failure'
  process.stderr.write(`tessera: error: ${message}\n`)
  process.exit(1)
}

process.on('uncaughtException', fail)
process.on('unhandledRejection', fail)

runCli(process.argv.slice(2)).then((status) => {
  process.exitCode = status
  // A `--workers` worker stays alive while its IPC channel to the primary is open.
  if (cluster.isWorker) process.disconnect()
}, fail)
