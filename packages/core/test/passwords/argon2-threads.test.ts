import { readdirSync, readFileSync } from 'node:fs'
import { verify as argon2Verify } from '@node-rs/argon2'
import { describe, expect, it } from 'vitest'
import { Argon2Threads } from '../../src/passwords/argon2-threads.js'

// Light parameters: these tests check the plumbing and the priority, not argon2's cost.
const OPTIONS = { memoryCost: 1024, timeCost: 1, parallelism: 1, algorithm: 2, version: 1 }

/** The nice value of thread `tid` of this process (field 19 of /proc/self/task/<tid>/stat). */
function niceOf(tid: string | number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
  // Fields after the parenthesised command name; nice is the 19th field overall.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(fields[16])
}

/** The nice value of every thread of this process (threads may end while we read). */
function threadNiceValues(): number[] {
  return readdirSync('/proc/self/task').flatMap((tid) => {
    try {
      return [niceOf(tid)]
    } catch {
      return []
    }
  })
}

describe('Argon2Threads', () => {
  it('hashes and verifies like @node-rs/argon2', async () => {
    const threads = new Argon2Threads(2)
    const phc = await threads.hash('correct horse', OPTIONS)
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/)
    expect(await argon2Verify(phc, 'correct horse')).toBe(true)
    expect(await threads.verify(phc, 'correct horse')).toBe(true)
    expect(await threads.verify(phc, 'correct horsf')).toBe(false)
  })

  it('runs many jobs through a bounded number of threads', async () => {
    const threads = new Argon2Threads(2)
    const hashes = await Promise.all(
      Array.from({ length: 12 }, (_, i) => threads.hash(`password ${i}`, OPTIONS)),
    )
    const checks = await Promise.all(hashes.map((phc, i) => threads.verify(phc, `password ${i}`)))
    expect(checks).toEqual(Array(12).fill(true))
  })

  it('rejects a malformed hash with an error, and keeps serving', async () => {
    const threads = new Argon2Threads(1)
    await expect(threads.verify('$argon2id$garbage', 'x')).rejects.toThrow(/^argon2: /)
    const phc = await threads.hash('still works', OPTIONS)
    expect(await threads.verify(phc, 'still works')).toBe(true)
  })

  it.runIf(process.platform === 'linux')(
    'hashes on threads reniced to 19, so the event loop keeps the CPU',
    async () => {
      const before = threadNiceValues().filter((nice) => nice === 19).length
      const threads = new Argon2Threads(2)
      await Promise.all([threads.hash('a', OPTIONS), threads.hash('b', OPTIONS)])
      const reniced = threadNiceValues().filter((nice) => nice === 19).length
      expect(reniced - before).toBe(2)
      // The process's main thread (its tid is the pid) keeps its priority.
      expect(niceOf(process.pid)).toBe(0)
    },
  )
})
