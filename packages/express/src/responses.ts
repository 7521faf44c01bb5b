import type { ServerResponse } from 'node:http'
import type { ErrorResponse } from '@tessera/core'

/** Writes a catalogue response as the Fastify plugin does: status, headers, JSON body. */
export function sendResponse(response: ServerResponse, error: ErrorResponse): void {
  response.statusCode = error.status
  for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value)
  response.setHeader('content-type', 'application/json; charset=utf-8')
  response.end(JSON.stringify(error.body))
}
