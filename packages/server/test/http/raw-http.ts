import { connect } from 'node:net'
import type { Stores } from '@tessera/core'
import { createMemoryStores } from '@tessera/core/memory'
import { buildServer, loadServerConfig, type TesseraServer } from '@tessera/server'
import { afterEach } from 'vitest'
import { TEST_SIGNING_KEY, useTempDirs } from '../temp-dir.js'

/** A response read off a raw socket. */
export interface RawResponse {
  readonly status: number
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Everything the server wrote. */
  readonly text: string
}

/** Splits what the server wrote into status, headers and body (one response, no chunking). */
export function parseRawResponse(text: string): RawResponse {
  const end = text.indexOf('\r\n\r\n')
  const head = end === -1 ? text : text.slice(0, end)
  const [statusLine = '', ...lines] = head.split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN)
  return { status, headers, body: end === -1 ? '' : text.slice(end + 4), text }
}

/** An open raw connection: what was read so far, and the moment the server closes it. */
export interface RawConnection {
  write(data: string | Buffer): void
  /** All the server wrote so far. */
  received(): string
  /** Resolves with all the server wrote once it closed the connection. */
  readonly closed: Promise<string>
}

/** Connects to `port` on 127.0.0.1. */
export function openRaw(port: number): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port })
    const chunks: Buffer[] = []
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    const received = () => Buffer.concat(chunks).toString('latin1')
    const closed = new Promise<string>((done) => {
      socket.on('close', () => done(received()))
    })
    // The server may reset a connection it refuses; what it wrote before still counts.
    socket.on('error', () => {})
    socket.once('connect', () => resolve({ write: (data) => socket.write(data), received, closed }))
    socket.once('error', reject)
  })
}

/** Sends `request` on a fresh connection and waits for the server to close it. */
export async function exchangeRaw(port: number, request: string | Buffer): Promise<RawResponse> {
  const connection = await openRaw(port)
  connection.write(request)
  return parseRawResponse(await connection.closed)
}

/** Servers built by {@link useServers}, closed after each test. */
export function useServers(): (
  env?: Record<string, string>,
  stores?: Stores,
) => Promise<TesseraServer> {
  const tempDir = useTempDirs()
  const servers: TesseraServer[] = []
  afterEach(async () => {
    for (const server of servers.splice(0)) await server.close()
  })
  return async (env = {}, stores = createMemoryStores()) => {
    const config = loadServerConfig({
      env: { TESSERA_SIGNING_KEY: TEST_SIGNING_KEY, TESSERA_DATA_DIR: tempDir(), ...env },
      configFile: false,
    })
    const server = await buildServer(config, { stores, logger: false })
    servers.push(server)
    return server
  }
}

/** Listens on an ephemeral port of 127.0.0.1; returns the port. */
export async function listen(server: TesseraServer): Promise<number> {
  await server.app.listen({ host: '127.0.0.1', port: 0 })
  const address = server.app.server.address()
  if (address === null || typeof address === 'string') throw new Error('not listening on TCP')
  return address.port
}
