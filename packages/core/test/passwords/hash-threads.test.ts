import { pbkdf2Sync, scryptSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { verify as argon2Verify } from '@node-rs/argon2'
import { hashSync } from '@node-rs/bcrypt'
import { describe, expect, it } from 'vitest'
import { HashThreads } from '../../src/passwords/hash-threads.js'

// Light parameters: these tests check the plumbing and the priority, not argon2's cost.
const OPTIONS = { memoryCost: 1024, timeCost: 1, parallelism: 1, algorithm: 2, version: 1 }

/** The nice value of thread `tid` of this process (field 19 of /proc/self/task/<tid>/stat). */
function niceOf(tid: string | number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  // Fields after the parenthesised command name; nice is the 19th field overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[16])
}

describe('HashThreads', () => {
  it('hashes and verifies like @node-rs/argon2', async () => {
    const threads = new HashThreads(2)
    const phc = await threads.argon2Hash('correct horse', OPTIONS)
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
    expect(await argon2Verify(phc, 'correct horse')).toBe(true)
    expect(await threads.argon2Verify(phc, 'correct horse')).toBe(true)
    expect(await threads.argon2Verify(phc, 'correct horsf')).toBe(false)
  })

  it('runs many jobs through a bounded number of threads', async () => {
    const threads = new HashThreads(2)
    const hashes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => threads.argon2Hash(`password ${i}`, OPTIONS)),
    )
    const checks = await Promise.all(
      hashes.map((phc, i) => threads.argon2Verify(phc, `password ${i}`)),
    )
    expect(checks).toEqual(Array(12).fill(true))
  })

  it('derives the legacy Django keys like node:crypto and @node-rs/bcrypt', async () => {
    const threads = new HashThreads(1)
    expect(await threads.pbkdf2('correct horse', 'salt', 1000, 32, 'sha256')).toBe(
      pbkdf2Sync('correct horse', 'salt', 1000, 32, 'sha256').toString('base64'),
    )
    const options = { N: 1024, r: 8, p: 1 }
    expect(await threads.scrypt('correct horse', 'salt', 64, options)).toBe(
      scryptSync('correct horse', 'salt', 64, options).toString('base64'),
    )
    const crypt = hashSync('correct horse', { cost: 4 })
    expect(await threads.bcryptVerify('correct horse', crypt)).toBe(true)
    expect(await threads.bcryptVerify('correct horsf', crypt)).toBe(false)
  })

  it('a thread holds its next job: it starts it without waiting for the event loop', async () => {
    // Tessera's parameters: a hash takes far longer than one turn of the event loop.
    const tessera = { ...OPTIONS, memoryCost: 19_456, timeCost: 2 }
    const threads = new HashThreads(1)
    const first = threads.argon2Hash('first', tessera)
    const second = threads.argon2Hash('second', tessera)
    // Both handed over, then the event loop blocked long enough for the thread to run both, with
    // room for a loaded machine (two hashes take ~50 ms here).
    await new Promise((resolve) => setImmediate(resolve))
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 3000)
    await first
    // The second result is already queued behind the first. Had the thread waited to be handed
    // the second job after the first result, it would still be hashing at the next check phase.
    const settled = await Promise.race([
      second.then(() => 'second done'),
      new Promise((resolve) => setImmediate(() => resolve('second still hashing'))),
    ])
    expect(settled).toBe('second done')
  })

  it('starts a thread per job up to its size before giving a thread a second job', async () => {
    const threads = new HashThreads(2)
    const hashes = await Promise.all(
      Array.from({ length: 5 }, (_, i) => threads.argon2Hash(`password ${i}`, OPTIONS)),
    )
    expect(hashes).toHaveLength(5)
    // Two threads: not one holding the first two jobs, not one per job.
    expect(await threads.threadIds()).toHaveLength(2)
  })

  it('rejects a malformed hash with an error, and keeps serving', async () => {
    const threads = new HashThreads(1)
    await expect(threads.argon2Verify('$argon2id$garbage', 'x')).rejects.toThrow(/^hashing: /)
    const phc = await threads.argon2Hash('still works', OPTIONS)
    expect(await threads.argon2Verify(phc, 'still works')).toBe(true)
  })

  it.runIf(process.platform === 'linux')(
    'hashes on threads reniced to 19, so the event loop keeps the CPU',
    async () => {
      // Test files run on threads of one process: only this pool's own threads are looked at.
      const threads = new HashThreads(2)
      await Promise.all([threads.argon2Hash('a', OPTIONS), threads.argon2Hash('b', OPTIONS)])
      const ids = await threads.threadIds()
      expect(ids).toHaveLength(2)
      for (const id of ids) expect(niceOf(id as number)).toBe(19)
      // The process's main thread (its tid is the pid) keeps its priority.
      expect(niceOf(process.pid)).toBe(0)
    },
  )
})
