import { spawnSync } from 'node:child_process'
import { EventEmitter } from 'node:events'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { LineBuffer } from '../../src/http/line-buffer.js'

/** A stdout stand-in recording each write. */
class Output extends EventEmitter {
  readonly writes: string[] = []
  write(chunk: string): boolean {
    this.writes.push(chunk)
    return true
  }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('LineBuffer', () => {
  it('writes a batch once it holds batchChars, in order, one write for many lines', () => {
    const output = new Output()
    const buffer = new LineBuffer({ output, batchChars: 100 })
    const lines = Array.from({ length: 30 }, (_, i) => `{"n":${i}}\n`)
    for (const line of lines) buffer.write(line)
    expect(output.writes.length).toBeGreaterThan(0)
    expect(output.writes.length).toBeLessThan(5)
    buffer.flush()
    expect(output.writes.join('')).toBe(lines.join(''))
  })

  it('writes a lone line after maxDelayMs at the latest', () => {
    vi.useFakeTimers()
    const output = new Output()
    const buffer = new LineBuffer({ output, maxDelayMs: 250 })
    buffer.write('{"quiet":true}\n')
    vi.advanceTimersByTime(249)
    expect(output.writes).toEqual([])
    vi.advanceTimersByTime(1)
    expect(output.writes).toEqual(['{"quiet":true}\n'])
  })

  it("calls pino's flush callback, and stops writing once the output broke (EPIPE)", () => {
    const output = new Output()
    const buffer = new LineBuffer({ output })
    buffer.write('a\n')
    const done = vi.fn()
    buffer.flush(done)
    expect(done).toHaveBeenCalledOnce()
    output.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))
    buffer.write('b\n')
    buffer.flush()
    expect(output.writes).toEqual(['a\n'])
  })

  it('loses no line when the process crashes: what is gathered is written at exit', () => {
    const script = `
      import { createLogger } from ${JSON.stringify(fileURLToPath(new URL('../../dist/http/logger-options.js', import.meta.url)))}
      const logger = createLogger({ level: 'info' })
      for (let i = 0; i < 100; i++) logger.info({ n: i }, 'line')
      throw new Error('crash after 100 lines')
    `
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    })
    expect(child.status).toBe(1)
    const lines = child.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(lines.map((line) => line.n)).toEqual(Array.from({ length: 100 }, (_, i) => i))
    expect(child.stderr).toContain('crash after 100 lines')
  })
})
