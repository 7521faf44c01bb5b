/** A caller of `waitForRoom`: told `true` when a job would be admitted, or at its deadline. */
interface RoomWaiter {
  readonly resolve: (room: boolean) => void
  readonly timer: NodeJS.Timeout
}

/**
 * Runs at most `maxConcurrent` async jobs at once and queues up to `maxQueue` more in FIFO order.
 * A job finding the queue full waits up to `maxWaitMs` for a place (holding no slot nor queue
 * place), then is rejected with `busy()`. Internal to the password hasher: the bounded queue
 * keeps a login flood from piling up expensive hashes, and the bounded wait keeps refused
 * clients, which tend to retry at once, from turning into a flood of instant refusals.
 */
export class ConcurrencyLimiter {
  readonly #maxConcurrent: number
  readonly #maxQueue: number
  readonly #maxWaitMs: number
  readonly #busy: () => Error
  readonly #queue: Array<() => void> = []
  /** In arrival order (a Set iterates in insertion order): the oldest waiter is woken first. */
  readonly #roomWaiters = new Set<RoomWaiter>()
  #active = 0

  constructor(maxConcurrent: number, maxQueue: number, maxWaitMs: number, busy: () => Error) {
    this.#maxConcurrent = maxConcurrent
    this.#maxQueue = maxQueue
    this.#maxWaitMs = maxWaitMs
    this.#busy = busy
  }

  /** Jobs running now. */
  get active(): number {
    return this.#active
  }

  /** Jobs waiting for a slot. */
  get queued(): number {
    return this.#queue.length
  }

  /** Callers waiting for room (in `waitForRoom`), holding neither a slot nor a queue place. */
  get waiting(): number {
    return this.#roomWaiters.size
  }

  /** True when a job would have to wait for room: every slot busy and the queue full. */
  get full(): boolean {
    return this.#active >= this.#maxConcurrent && this.#queue.length >= this.#maxQueue
  }

  /**
   * Resolves `true` as soon as a job would be admitted (at once when it would now), `false` when
   * still full after `maxWaitMs`. Waiters are served in arrival order, one per finished job. Room
   * is not reserved: callers wait here before the work that leads to a job (reading a login),
   * and a job finding the room taken by then waits again.
   */
  waitForRoom(): Promise<boolean> {
    if (!this.full) return Promise.resolve(true)
    if (this.#maxWaitMs === 0) return Promise.resolve(false)
    return new Promise<boolean>((resolve) => {
      const waiter: RoomWaiter = {
        resolve,
        timer: setTimeout(() => {
          this.#roomWaiters.delete(waiter)
          // A woken waiter may not have used its room (its login failed before hashing):
          // whatever is free now is this one's.
          resolve(!this.full)
        }, this.#maxWaitMs),
      }
      this.#roomWaiters.add(waiter)
    })
  }

  /** Runs `job` once a slot is free; rejects with `busy()` when no room freed up in time. */
  run<T>(job: () => Promise<T>): Promise<T> {
    if (!this.full) return this.#admit(job)
    return this.waitForRoom().then(() =>
      this.full ? Promise.reject(this.#busy()) : this.#admit(job),
    )
  }

  #admit<T>(job: () => Promise<T>): Promise<T> {
    if (this.#active < this.#maxConcurrent) return this.#start(job)
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
      this.#wakeRoomWaiter()
    }
  }

  #wakeRoomWaiter(): void {
    if (this.full) return
    for (const waiter of this.#roomWaiters) {
      this.#roomWaiters.delete(waiter)
      clearTimeout(waiter.timer)
      waiter.resolve(true)
      return
    }
  }
}
