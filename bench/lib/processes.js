// Children and clean-ups of one bench run: everything started is stopped on exit, on failure and
// on Ctrl+C, in reverse order (servers before the data dirs they use).
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { closeSync, fstatSync, openSync, readSync } from 'node:fs'
import net from 'node:net'

/** @type {Array<{ name: string, run: () => Promise<void> | void }>} */
const cleanups = []
let cleaning

/** Registers a clean-up; returns a function that runs it now (once) and unregisters it. */
export function onCleanup(name, run) {
  const entry = { name, run }
  cleanups.push(entry)
  return async () => {
    const index = cleanups.indexOf(entry)
    if (index === -1) return
    cleanups.splice(index, 1)
    await run()
  }
}

/** Runs every registered clean-up, newest first; errors are printed, never thrown. */
export function cleanupAll() {
  cleaning ??= (async () => {
    while (cleanups.length > 0) {
      const { name, run } = cleanups.pop()
      try {
        await run()
      } catch (error) {
        process.stderr.write(`clean-up of ${name} failed: ${error.message}\n`)
      }
    }
  })()
  return cleaning
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, async () => {
    process.stderr.write(`\n${signal}: stopping what the bench started...\n`)
    await cleanupAll()
    process.exit(130)
  })
}

/** Characters of a child's output kept for error messages. */
const KEPT_CHARS = 20_000

/**
 * Spawns a long-running child (a server) whose output is kept for error messages; it is stopped
 * (SIGTERM, then SIGKILL after 10 s) by the returned stop() or by cleanupAll(). With
 * `stdoutFile`, the child's stdout is appended to that file, as a service's is by journald or a
 * shell redirect, instead of a pipe into this process: a server writing an access line per
 * request would otherwise make the bench read, and keep, 20,000 lines a second on the cores the
 * servers need.
 */
export function startChild(name, command, args, { stdoutFile, ...options } = {}) {
  const stdoutFd = stdoutFile === undefined ? 'pipe' : openSync(stdoutFile, 'a')
  const child = spawn(command, args, { stdio: ['ignore', stdoutFd, 'pipe'], ...options })
  // The child holds its own copy of the descriptor.
  if (typeof stdoutFd === 'number') closeSync(stdoutFd)
  let kept = ''
  const keep = (chunk) => {
    kept = (kept + chunk).slice(-KEPT_CHARS)
  }
  child.stdout?.on('data', keep)
  child.stderr.on('data', keep)
  const output = () =>
    stdoutFile === undefined ? kept : `${readTail(stdoutFile, KEPT_CHARS)}${kept}`
  let stopping = false
  // A server dying mid-run is the cause of every later error: say so with its last output.
  child.on('exit', (code, signal) => {
    if (!stopping) {
      process.stderr.write(
        `!! ${name} exited (${signal ?? code}) unexpectedly:\n${output().slice(-3000)}\n`,
      )
    }
  })
  const stop = onCleanup(name, async () => {
    stopping = true
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
    await exited
    clearTimeout(timer)
  })
  return { name, child, stop, output }
}

/** The last `chars` bytes of a file ('' when it is missing), read without loading the rest. */
export function readTail(file, chars) {
  let fd
  try {
    fd = openSync(file, 'r')
  } catch {
    return ''
  }
  try {
    const size = fstatSync(fd).size
    const length = Math.min(size, chars)
    const buffer = Buffer.alloc(length)
    readSync(fd, buffer, 0, length, size - length)
    return buffer.toString('utf8')
  } finally {
    closeSync(fd)
  }
}

/** A TCP port free right now on 127.0.0.1 (for servers that need a port given to them). */
export async function freePort() {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

/** Resolves once `check()` resolves true; rejects after `timeoutMs` or when the child exits. */
export async function waitUntil(what, check, { timeoutMs = 30_000, child } = {}) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (child !== undefined && child.child.exitCode !== null) {
      throw new Error(`${what}: exited with ${child.child.exitCode}:\n${child.output()}`)
    }
    try {
      if (await check()) return
    } catch {
      // Not up yet (connection refused): retry.
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${what}: not ready after ${timeoutMs} ms${child ? `:\n${child.output()}` : ''}`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
