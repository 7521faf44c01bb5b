import type { ScryptOptions } from 'node:crypto'
import { createRequire } from 'node:module'
import { Worker } from 'node:worker_threads'

/**
 * What a hashing thread is asked: an argon2 hash or verify, or the key a legacy Django format
 * derives (the caller compares it), or a bcrypt verify.
 */
type Job =
  | { readonly op: 'argon2Hash'; readonly password: string; readonly options: object }
  | { readonly op: 'argon2Verify'; readonly phc: string; readonly password: string }
  | {
      readonly op: 'pbkdf2'
      readonly password: string
      readonly salt: string
      readonly iterations: number
      readonly keyLength: number
      readonly digest: string
    }
  | {
      readonly op: 'scrypt'
      readonly password: string
      readonly salt: string
      readonly keyLength: number
      readonly options: ScryptOptions
    }
  | { readonly op: 'bcryptVerify'; readonly password: string; readonly crypt: string }
  | { readonly op: 'threadId' }

/** A hashing thread and the jobs it holds (running, or waiting in its message port). */
interface HashThread {
  readonly worker: Worker
  jobs: number
  /** When its current job started (performance.now()): the oldest finishes first. */
  busySince: number
}

interface Pending {
  readonly thread: HashThread
  readonly resolve: (value: unknown) => void
  readonly reject: (error: Error) => void
}

/**
 * Jobs a thread holds at once: the one it runs and the next, already in its message port, which
 * it starts the moment the first ends instead of idling until the event loop hands it another
 * (measured under a login load on 2 cores: 6% more logins/s than one job per thread).
 */
const JOBS_PER_THREAD = 2

/** Nice value of the hashing threads: the lowest priority Linux offers. */
const HASH_THREAD_NICE = 19

// The thread's code, evaluated as CommonJS: a worker file would not exist when the sources run
// untranspiled (tests), and the @node-rs packages are handed over by absolute path.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads')
const { pbkdf2Sync, scryptSync } = require('node:crypto')
const { readlinkSync } = require('node:fs')
const { setPriority } = require('node:os')
const argon2 = require(workerData.argon2Path)
let bcrypt
let tid
try {
  // On Linux /proc/thread-self names this thread's id, and setpriority on it renices only us.
  tid = Number(readlinkSync('/proc/thread-self').split('/').pop())
  setPriority(tid, workerData.nice)
} catch {}
function run(job) {
  switch (job.op) {
    case 'argon2Hash': return argon2.hashSync(job.password, job.options)
    case 'argon2Verify': return argon2.verifySync(job.phc, job.password)
    case 'pbkdf2':
      return pbkdf2Sync(job.password, job.salt, job.iterations, job.keyLength, job.digest)
        .toString('base64')
    case 'scrypt':
      return scryptSync(job.password, job.salt, job.keyLength, job.options).toString('base64')
    case 'bcryptVerify':
      bcrypt ??= require(workerData.bcryptPath)
      return bcrypt.verifySync(job.password, job.crypt)
    case 'threadId': return tid
  }
  throw new Error('unknown job')
}
parentPort.on('message', ({ id, job }) => {
  try {
    parentPort.postMessage({ id, value: run(job) })
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message) })
  }
})
`

/**
 * Password hashing on threads of its own at the lowest CPU priority: argon2, and the legacy
 * Django formats a login may still meet. Password hashing is meant to be expensive; on libuv's
 * pool (@node-rs/argon2's async functions) a login storm took the cores from the event loop, and
 * authenticated requests waited behind hashes (p99 ~75 ms measured with 2 hashes running on 2
 * cores). Reniced threads get every idle cycle but yield to the event loop at once. A thread
 * runs one job at a time and holds at most one more; the caller bounds concurrency.
 */
export class HashThreads {
  readonly #size: number
  readonly #threads: HashThread[] = []
  readonly #pending = new Map<number, Pending>()
  readonly #waiting: Array<(thread: HashThread) => void> = []
  #nextId = 0

  constructor(size: number) {
    this.#size = size
  }

  /** argon2 hash of `password` (a PHC string), as @node-rs/argon2's `hash`. */
  argon2Hash(password: string, options: object): Promise<string> {
    return this.#run({ op: 'argon2Hash', password, options }) as Promise<string>
  }

  /** Whether `password` matches the PHC string `phc`, as @node-rs/argon2's `verify`. */
  argon2Verify(phc: string, password: string): Promise<boolean> {
    return this.#run({ op: 'argon2Verify', phc, password }) as Promise<boolean>
  }

  /** PBKDF2-HMAC of `password`, base64, as node:crypto's `pbkdf2`. */
  pbkdf2(
    password: string,
    salt: string,
    iterations: number,
    keyLength: number,
    digest: string,
  ): Promise<string> {
    const job = { op: 'pbkdf2', password, salt, iterations, keyLength, digest } as const
    return this.#run(job) as Promise<string>
  }

  /** scrypt key of `password`, base64, as node:crypto's `scrypt`. */
  scrypt(
    password: string,
    salt: string,
    keyLength: number,
    options: ScryptOptions,
  ): Promise<string> {
    return this.#run({ op: 'scrypt', password, salt, keyLength, options }) as Promise<string>
  }

  /** Whether `password` matches the modular-crypt bcrypt hash, as @node-rs/bcrypt's `verify`. */
  bcryptVerify(password: string, crypt: string): Promise<boolean> {
    return this.#run({ op: 'bcryptVerify', password, crypt }) as Promise<boolean>
  }

  /** OS ids of the threads started so far (Linux; else undefined), for tests of their priority. */
  threadIds(): Promise<Array<number | undefined>> {
    return Promise.all(
      this.#threads.map((thread) => this.#post(thread, { op: 'threadId' }) as Promise<number>),
    )
  }

  async #run(job: Job): Promise<unknown> {
    const thread = await this.#acquire()
    try {
      return await this.#post(thread, job)
    } finally {
      this.#release(thread)
    }
  }

  #post(thread: HashThread, job: Job): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const id = this.#nextId++
      this.#pending.set(id, { thread, resolve, reject })
      thread.worker.postMessage({ id, job })
    })
  }

  /**
   * An idle thread, else a new one while under `size`, else the thread whose current job started
   * first (it frees first) if it holds fewer than JOBS_PER_THREAD; else waits for a release.
   */
  #acquire(): Promise<HashThread> {
    let chosen: HashThread | undefined
    for (const thread of this.#threads) {
      if (thread.jobs >= JOBS_PER_THREAD) continue
      if (
        chosen === undefined ||
        thread.jobs < chosen.jobs ||
        (thread.jobs === chosen.jobs && thread.busySince < chosen.busySince)
      ) {
        chosen = thread
      }
    }
    if ((chosen === undefined || chosen.jobs > 0) && this.#threads.length < this.#size) {
      chosen = this.#spawn()
    }
    if (chosen === undefined) return new Promise((resolve) => this.#waiting.push(resolve))
    this.#take(chosen)
    return Promise.resolve(chosen)
  }

  #take(thread: HashThread): void {
    // Referenced while it works: a process awaiting a hash must not exit under it.
    if (thread.jobs++ === 0) {
      thread.busySince = performance.now()
      thread.worker.ref()
    }
  }

  #release(thread: HashThread): void {
    if (!this.#threads.includes(thread)) return
    // Its next job, if it holds one, starts now.
    thread.busySince = performance.now()
    if (--thread.jobs === 0) thread.worker.unref()
    const next = this.#waiting.shift()
    if (next === undefined) return
    this.#take(thread)
    next(thread)
  }

  #spawn(): HashThread {
    const require = createRequire(import.meta.url)
    const worker = new Worker(THREAD_SOURCE, {
      eval: true,
      workerData: {
        argon2Path: require.resolve('@node-rs/argon2'),
        bcryptPath: require.resolve('@node-rs/bcrypt'),
        nice: HASH_THREAD_NICE,
      },
    })
    // Idle hashing threads must not keep the process alive.
    worker.unref()
    const thread: HashThread = { worker, jobs: 0, busySince: 0 }
    worker.on(
      'message',
      ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
        const pending = this.#pending.get(id)
        if (pending === undefined) return
        this.#pending.delete(id)
        if (error === undefined) pending.resolve(value)
        else pending.reject(new Error(`hashing: ${error}`))
      },
    )
    worker.on('error', (error) => this.#fail(thread, error))
    worker.on('exit', () => this.#fail(thread, new Error('hashing thread exited')))
    this.#threads.push(thread)
    return thread
  }

  /** A dead thread fails what it held and leaves the pool; new ones serve the waiters. */
  #fail(thread: HashThread, error: Error): void {
    const index = this.#threads.indexOf(thread)
    if (index === -1) return
    this.#threads.splice(index, 1)
    for (const [id, pending] of this.#pending) {
      if (pending.thread !== thread) continue
      this.#pending.delete(id)
      pending.reject(error)
    }
    if (this.#waiting.length === 0) return
    const replacement = this.#spawn()
    while (this.#waiting.length > 0 && replacement.jobs < JOBS_PER_THREAD) {
      const next = this.#waiting.shift() as (thread: HashThread) => void
      this.#take(replacement)
      next(replacement)
    }
  }
}
