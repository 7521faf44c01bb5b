/**
 * A real local HTTP server for JWKS tests (node:http on port 0): serves a document with the
 * headers a test sets, or misbehaves on demand (hang, error status, huge body), and counts hits.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

export type JwksHandler = (request: IncomingMessage, response: ServerResponse) => void

export interface JwksServer {
  /** Base URL, e.g. `http://127.0.0.1:1234`. */
  readonly origin: string
  /** `<origin>/.well-known/jwks.json`. */
  readonly url: string
  /** Requests received so far (any path). */
  readonly hits: number
  /** Paths requested, in order. */
  readonly paths: readonly string[]
  /** Serves `document` (JSON) with `headers` from now on. */
  serve(document: unknown, headers?: Record<string, string>): void
  /** Answers with `handler` from now on. */
  respond(handler: JwksHandler): void
  close(): Promise<void>
}

export async function startJwksServer(document: unknown = { keys: [] }): Promise<JwksServer> {
  let handler: JwksHandler = jsonHandler(document, {})
  const paths: string[] = []
  const open = new Set<ServerResponse>()
  const server = createServer((request, response) => {
    paths.push(request.url ?? '')
    open.add(response)
    response.on('close', () => open.delete(response))
    handler(request, response)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    url: `${origin}/.well-known/jwks.json`,
    get hits() {
      return paths.length
    },
    paths,
    serve(next, headers = {}) {
      handler = jsonHandler(next, headers)
    },
    respond(next) {
      handler = next
    },
    async close() {
      for (const response of open) response.destroy()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

function jsonHandler(document: unknown, headers: Record<string, string>): JwksHandler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json', ...headers })
    response.end(JSON.stringify(document))
  }
}
