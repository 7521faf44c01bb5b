import { describe, expect, it } from 'vitest'
import { ConcurrencyLimiter } from '../../src/passwords/concurrency-limiter.js'

const busy = () => new Error('busy')

/** A job the test finishes by hand. */
function heldJob() {
  let finish = () => {}
  const done = new Promise<void>((resolve) => {
    finish = resolve
  })
  return { job: () => done, finish }
}

/** Records when each promise settles, and with what. */
function track<T>(promise: Promise<T>) {
  const state: { settled: boolean; value?: T } = { settled: false }
  void promise.then((value) => {
    state.settled = true
    state.value = value
  })
  return state
}

const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('ConcurrencyLimiter.waitForRoom', () => {
  it('is true at once while a job would be admitted', async () => {
    const limiter = new ConcurrencyLimiter(1, 1, 60_000, busy)
    expect(await limiter.waitForRoom()).toBe(true)
    const running = heldJob()
    void limiter.run(running.job)
    // The slot is taken, the queue place is not.
    expect(await limiter.waitForRoom()).toBe(true)
    running.finish()
  })

  it('with maxWaitMs 0 refuses at once', async () => {
    const limiter = new ConcurrencyLimiter(1, 0, 0, busy)
    const running = heldJob()
    const job = limiter.run(running.job)
    expect(limiter.full).toBe(true)
    expect(await limiter.waitForRoom()).toBe(false)
    let called = false
    await expect(
      limiter.run(async () => {
        called = true
      }),
    ).rejects.toThrow('busy')
    expect(called).toBe(false)
    running.finish()
    await job
  })

  it('wakes one waiter per finished job, oldest first', async () => {
    const limiter = new ConcurrencyLimiter(1, 1, 60_000, busy)
    const first = heldJob()
    const second = heldJob()
    const third = heldJob()
    const jobs = [limiter.run(first.job), limiter.run(second.job)]
    const oldest = track(limiter.waitForRoom())
    const newest = track(limiter.waitForRoom())
    await tick()
    expect([oldest.settled, newest.settled]).toEqual([false, false])

    // The queued job takes the slot, which frees one queue place: one waiter, the oldest.
    first.finish()
    await jobs[0]
    await tick()
    expect(oldest).toEqual({ settled: true, value: true })
    expect(newest.settled).toBe(false)

    // The woken caller uses its room; the next finished job wakes the other.
    jobs.push(limiter.run(third.job))
    expect(limiter.full).toBe(true)
    second.finish()
    await jobs[1]
    await tick()
    expect(newest).toEqual({ settled: true, value: true })
    third.finish()
    await Promise.all(jobs)
  })

  it('is false after maxWaitMs while still full, and the waiter is forgotten', async () => {
    const limiter = new ConcurrencyLimiter(1, 0, 30, busy)
    const running = heldJob()
    const job = limiter.run(running.job)
    const started = performance.now()
    expect(await limiter.waitForRoom()).toBe(false)
    expect(performance.now() - started).toBeGreaterThanOrEqual(25)
    const later = track(limiter.waitForRoom())
    // The job's end goes to the waiter still waiting, not to the one that gave up.
    running.finish()
    await job
    await tick()
    expect(later).toEqual({ settled: true, value: true })
  })

  it('at its deadline a waiter takes room another woken caller left unused', async () => {
    const limiter = new ConcurrencyLimiter(1, 0, 30, busy)
    const running = heldJob()
    const job = limiter.run(running.job)
    const woken = track(limiter.waitForRoom())
    const patient = limiter.waitForRoom()
    running.finish()
    await job
    await tick()
    // The woken caller never runs its job (say its request was refused before hashing).
    expect(woken.value).toBe(true)
    expect(await patient).toBe(true)
  })
})

describe('ConcurrencyLimiter.run', () => {
  it('a job finding the queue full waits for a place, then runs', async () => {
    const limiter = new ConcurrencyLimiter(1, 0, 60_000, busy)
    const running = heldJob()
    const first = limiter.run(running.job)
    const order: string[] = []
    const second = limiter.run(async () => {
      order.push('second ran')
    })
    await tick()
    expect(order).toEqual([])
    running.finish()
    await Promise.all([first, second])
    expect(order).toEqual(['second ran'])
  })

  it('rejects with busy() after maxWaitMs, without running the job', async () => {
    const limiter = new ConcurrencyLimiter(1, 0, 30, busy)
    const running = heldJob()
    const first = limiter.run(running.job)
    let called = false
    const started = performance.now()
    await expect(
      limiter.run(async () => {
        called = true
      }),
    ).rejects.toThrow('busy')
    expect(performance.now() - started).toBeGreaterThanOrEqual(25)
    expect(called).toBe(false)
    running.finish()
    await first
  })
})
