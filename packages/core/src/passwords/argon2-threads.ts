import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/** What a hashing thread is asked: hash a password, or verify one against a PHC string. */
type Job =
  | { readonly op: 'hash'; readonly password: string; readonly options: object }
  | { readonly op: 'verify'; readonly phc: string; readonly password: string }

interface Pending {
  readonly worker: Worker
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
}

/** Nice value of the hashing threads: the lowest priority Linux offers. */
const HASH_THREAD_NICE = 19

// The thread's code, evaluated as CommonJS: a worker file would not exist when the sources run
// untranspiled (tests), and @node-rs/argon2 is handed over by absolute path.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { readlinkSync } = require('node:fs')
const { setPriority } = require('node:os')
const argon2 = require(workerData.argon2Path)
try {
  // On Linux /proc/thread-self names this thread's id, and setpriority on it renices only us.
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
  setPriority(tid, workerData.nice)
} catch {}
parentPort.on('message', ({ id, job }) => {
  try {
    const value = job.op === 'hash'
      ? argon2.hashSync(job.password, job.options)
      : argon2.verifySync(job.phc, job.password)
    parentPort.postMessage({ id, value })
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) })
  }
})
`

/**
 * argon2 on threads of its own at the lowest CPU priority. Password hashing is meant to be
 * expensive; on libuv's pool (@node-rs/argon2's async functions) a login storm took the cores
 * from the event loop, and authenticated requests waited behind hashes (p99 ~75 ms measured
 * with 2 hashes running on 2 cores). Reniced threads get every idle cycle but yield to the
 * event loop at once. One job per thread at a time; the caller bounds concurrency.
 */
export class Argon2Threads {
  readonly #size: number
  readonly #idle: Worker[] = []
  readonly #all: Worker[] = []
  readonly #pending = new Map<number, Pending>()
  readonly #waiting: Array<(worker: Worker) => void> = []
  #nextId = 0

  constructor(size: number) {
    this.#size = size
  }

  /** argon2 hash of `password` (a PHC string), as @node-rs/argon2's `hash`. */
  hash(password: string, options: object): Promise<string> {
    return this.#run({ op: 'hash', password, options }) as Promise<string>
  }

  /** Whether `password` matches the PHC string `phc`, as @node-rs/argon2's `verify`. */
  verify(phc: string, password: string): Promise<boolean> {
    return this.#run({ op: 'verify', phc, password }) as Promise<boolean>
  }

  async #run(job: Job): Promise<unknown> {
    const worker = await this.#acquire()
    try {
      // Referenced while it works: a process awaiting a hash must not exit under it.
      worker.ref()
      return await new Promise((resolve, reject) => {
        const id = this.#nextId++
        this.#pending.set(id, { worker, resolve, reject })
        worker.postMessage({ id, job })
      })
    } finally {
      worker.unref()
      this.#release(worker)
    }
  }

  #acquire(): Promise<Worker> {
    const idle = this.#idle.pop()
    if (idle !== undefined) return Promise.resolve(idle)
    if (this.#all.length < this.#size) return Promise.resolve(this.#spawn())
    return new Promise((resolve) => this.#waiting.push(resolve))
  }

  #release(worker: Worker): void {
    if (!this.#all.includes(worker)) return
    const next = this.#waiting.shift()
    if (next !== undefined) next(worker)
    else this.#idle.push(worker)
  }

  #spawn(): Worker {
    const argon2Path = createRequire(import.meta.url).resolve('@node-rs/argon2')
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: { argon2Path, nice: HASH_THREAD_NICE },
    })
    // Idle hashing threads must not keep the process alive.
    worker.unref()
    worker.on(
      'message',
      ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
        const pending = this.#pending.get(id)
        if (pending === undefined) return
        this.#pending.delete(id)
        if (error === undefined) pending.resolve(value)
        else pending.reject(new Error(`argon2: ${error}`))
      },
    )
    worker.on('error', (error) => this.#fail(worker, error))
    worker.on('exit', () => this.#fail(worker, new Error('argon2 thread exited')))
    this.#all.push(worker)
    return worker
  }

  /** A dead thread fails what it was running and leaves the pool; a new one serves waiters. */
  #fail(worker: Worker, error: Error): void {
    const index = this.#all.indexOf(worker)
    if (index === -1) return
    this.#all.splice(index, 1)
    const idle = this.#idle.indexOf(worker)
    if (idle !== -1) this.#idle.splice(idle, 1)
    for (const [id, pending] of this.#pending) {
      if (pending.worker !== worker) continue
      this.#pending.delete(id)
      pending.reject(error)
    }
    const next = this.#waiting.shift()
    if (next !== undefined) next(this.#spawn())
  }
}
