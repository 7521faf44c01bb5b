import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'

// The machine's PostgreSQL trusts 127.0.0.1 (pg_hba.conf `trust`): it accepts any password, so
// a refused password cannot be produced there. This stand-in speaks the first messages of the
// wire protocol (PostgreSQL 3.0, "Start-up" in the manual) and answers a password with the exact
// ErrorResponse a server sends, so the real pg driver raises its real error.

/** How the stand-in answers a start-up message. */
export type StandInAuth =
  /** Asks for a cleartext password, then refuses it: SQLSTATE 28P01, as PostgreSQL words it. */
  | { readonly kind: 'refuse-password'; readonly user: string }
  /** Offers SCRAM-SHA-256 and answers with a server-first message, then waits (never closes). */
  | { readonly kind: 'scram' }

/** A stand-in listening on 127.0.0.1, and the passwords clients sent it. */
export interface PostgresStandIn {
  readonly port: number
  readonly passwords: readonly string[]
  close(): Promise<void>
}

function message(type: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5)
  header.write(type, 0, 'latin1')
  header.writeInt32BE(body.length + 4, 1)
  return Buffer.concat([header, body])
}

function int32(value: number): Buffer {
  const buffer = Buffer.alloc(4)
  buffer.writeInt32BE(value)
  return buffer
}

function errorResponse(code: string, text: string): Buffer {
  const fields = [`SFATAL`, `VFATAL`, `C${code}`, `M${text}`, 'Rauth_failed']
  return message('E', Buffer.from(`${fields.join('\0')}\0\0`, 'utf8'))
}

function serve(socket: Socket, auth: StandInAuth, passwords: string[]): void {
  let buffered = Buffer.alloc(0)
  let started = false
  socket.on('error', () => {})
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk])
    for (;;) {
      // The start-up message has no type byte; every later one has.
      const offset = started ? 1 : 0
      if (buffered.length < offset + 4) return
      const length = buffered.readInt32BE(offset)
      if (buffered.length < offset + length) return
      const type = started ? buffered.toString('latin1', 0, 1) : ''
      const body = buffered.subarray(offset + 4, offset + length)
      buffered = buffered.subarray(offset + length)
      if (!started) {
        started = true
        socket.write(
          auth.kind === 'scram'
            ? message('R', Buffer.concat([int32(10), Buffer.from('SCRAM-SHA-256\0\0')]))
            : message('R', int32(3)),
        )
      } else if (type === 'p' && auth.kind === 'refuse-password') {
        passwords.push(body.toString('utf8').replace(/\0$/, ''))
        socket.end(errorResponse('28P01', `password authentication failed for user "${auth.user}"`))
      } else if (type === 'p' && auth.kind === 'scram') {
        // SASLInitialResponse: a server-first message; pg needs the password from here on.
        const data = Buffer.from('r=nonce,s=c2FsdA==,i=4096')
        socket.write(message('R', Buffer.concat([int32(11), data])))
      }
    }
  })
}

/** Starts a stand-in on a free port of 127.0.0.1. */
export async function startPostgresStandIn(auth: StandInAuth): Promise<PostgresStandIn> {
  const passwords: string[] = []
  const sockets = new Set<Socket>()
  const server = createServer((socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    serve(socket, auth, passwords)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return {
    port: address.port,
    passwords,
    async close() {
      for (const socket of sockets) socket.destroy()
      server.close()
      await once(server, 'close')
    },
  }
}
