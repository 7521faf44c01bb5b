import { type ChildProcess, spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'

/** The PostgreSQL server the multi-instance tests use, or undefined to skip them. */
export const POSTGRES_URL = process.env.TESSERA_TEST_POSTGRES_URL || undefined

/** The Redis the multi-instance tests use, or undefined to skip the Redis runs. */
export const REDIS_URL = process.env.TESSERA_TEST_REDIS_URL || undefined

/** A PostgreSQL database of its own: NOTIFY channels and tables are per database. */
export interface TestDatabase {
  readonly url: string
  drop(): Promise<void>
}

/**
 * Creates an empty database on the server of `serverUrl` and returns its URL. An unreachable
 * server fails the test with a clear message, never skips it.
 */
export async function createTestDatabase(serverUrl: string): Promise<TestDatabase> {
  const { default: pg } = await import('pg')
  const name = `tessera_it_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5000 })
  try {
    await admin.connect()
  } catch (error) {
    throw new Error(`TESSERA_TEST_POSTGRES_URL is set but PostgreSQL did not answer (${error})`)
  }
  try {
    await admin.query(`create database "${name}"`)
  } finally {
    await admin.end()
  }
  const url = new URL(serverUrl)
  url.pathname = `/${name}`
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl })
      await client.connect()
      try {
        await client.query(`drop database if exists "${name}" with (force)`)
      } finally {
        await client.end()
      }
    },
  }
}

/** A unique Redis key prefix: test runs sharing one Redis must not hear each other. */
export function uniqueRedisPrefix(): string {
  return `tessera-test-${randomBytes(6).toString('hex')}:`
}

/** A TCP port free right now on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

/** A `redis-server` of the test's own, which it may stop and start again on the same port. */
export interface PrivateRedis {
  readonly url: string
  start(): Promise<void>
  /** SIGKILL: connections drop at once, as in a crash. */
  kill(): Promise<void>
}

/**
 * A private `redis-server` (the binary the machine's Redis runs from; CI installs it), so a
 * test can stop it without disturbing the suites that share the machine's Redis.
 */
export async function privateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  let child: ChildProcess | undefined
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  return {
    url: `redis://127.0.0.1:${port}`,
    async start() {
      const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      child = started
      let output = ''
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`redis-server silent:\n${output}`)), 10_000)
        started.on('error', (error) => {
          clearTimeout(timer)
          reject(new Error(`cannot run redis-server (${error.message}); install redis-server`))
        })
        started.stdout?.on('data', (chunk) => {
          output += chunk
          if (output.includes('Ready to accept connections')) {
            clearTimeout(timer)
            resolve()
          }
        })
        started.on('exit', (code) => {
          clearTimeout(timer)
          reject(new Error(`redis-server exited with ${code}:\n${output}`))
        })
      })
    },
    async kill() {
      const running = child
      child = undefined
      if (running === undefined || running.exitCode !== null) return
      running.kill('SIGKILL')
      await once(running, 'exit')
    },
  }
}

/** POSTs JSON; resolves to the status and parsed body. */
export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, string> }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as Record<string, string> }
}

/** The `sid` claim of a token: the session (refresh family) it belongs to. */
export function sessionIdOf(token: string): string {
  const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString())
  return String(payload.sid)
}

/** `DELETE /api/sessions/<id>/` as the holder of `access`; resolves to the status. */
export async function revokeSessionStatus(
  baseUrl: string,
  access: string,
  sessionId: string,
): Promise<number> {
  const response = await fetch(`${baseUrl}/api/sessions/${sessionId}/`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${access}` },
  })
  await response.arrayBuffer()
  return response.status
}

/** The status of `GET /api/hello/` with `access` as the bearer token. */
export async function helloStatus(baseUrl: string, access: string): Promise<number> {
  const response = await fetch(`${baseUrl}/api/hello/`, {
    headers: { authorization: `Bearer ${access}` },
  })
  await response.arrayBuffer()
  return response.status
}

/**
 * Polls `hello` every 10 ms until it answers `status`; resolves to the milliseconds it took,
 * or rejects after `limitMs` with the last status seen.
 */
export async function millisUntilStatus(
  baseUrl: string,
  access: string,
  status: number,
  limitMs: number,
): Promise<number> {
  const started = performance.now()
  let last = 0
  while (performance.now() - started <= limitMs) {
    last = await helloStatus(baseUrl, access)
    if (last === status) return performance.now() - started
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`still ${last} after ${limitMs} ms; expected ${status}`)
}
