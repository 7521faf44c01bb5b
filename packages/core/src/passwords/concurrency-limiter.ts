/**
 * Runs at most `maxConcurrent` async jobs at once, queues up to `maxQueue` more in FIFO order and
 * rejects the rest at once with `busy()`. Internal to the password hasher: a bounded queue turns a
 * login flood into fast 503s instead of an ever-growing backlog of expensive hashes.
 */
export class ConcurrencyLimiter {
  readonly #maxConcurrent: number
  readonly #maxQueue: number
  readonly #busy: () => Error
  readonly #queue: Array<() => void> = []
  #active = 0

  constructor(maxConcurrent: number, maxQueue: number, busy: () => Error) {
    this.#maxConcurrent = maxConcurrent
    this.#maxQueue = maxQueue
    this.#busy = busy
  }

  /** True when `run` would reject right now: every slot busy and the queue full. */
  get full(): boolean {
    return this.#active >= this.#maxConcurrent && this.#queue.length >= this.#maxQueue
  }

  /** Runs `job` when a slot is free; rejects with `busy()` when the queue is full too. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#active < this.#maxConcurrent) return this.#start(job)
    if (this.#queue.length >= this.#maxQueue) return Promise.reject(this.#busy())
    return new Promise<T>((resolve, reject) => {
      this.#queue.push(() => {
        this.#start(job).then(resolve, reject)
      })
    })
  }

  async #start<T>(job: () => Promise<T>): Promise<T> {
    this.#active++
    try {
      return await job()
    } finally {
      this.#active--
      // Hand the freed slot straight to the oldest waiter, in the same tick, so a newcomer
      // cannot overtake the queue.
      this.#queue.shift()?.()
    }
  }
}
