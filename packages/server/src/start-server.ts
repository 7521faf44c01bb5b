import type { AddressInfo } from 'node:net'
import { type BuildServerOptions, buildServer, type TesseraServer } from './build-server.js'
import type { ServerConfig } from './settings/load-server-config.js'

/** A listening server and the URL it answers on. */
export interface StartedServer {
  readonly server: TesseraServer
  /** `http(s)://host:port`, the port the system bound (when `PORT` was 0, the one it picked). */
  readonly url: string
}

function urlOf(address: AddressInfo | string | null, host: string, scheme: string): string {
  if (address === null || typeof address === 'string') return `${scheme}://${host}`
  const name = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return `${scheme}://${name}:${address.port}`
}

/**
 * Builds the server ({@link buildServer}: migrates the stores) and listens on `HOST:PORT`.
 * The caller stops it with `server.close()` (drains requests, then closes the stores).
 */
export async function startServer(
  config: ServerConfig,
  options: BuildServerOptions = {},
): Promise<StartedServer> {
  const server = await buildServer(config, options)
  try {
    await server.app.listen({ host: config.settings.HOST, port: config.settings.PORT })
  } catch (error) {
    await server.close()
    throw error
  }
  const scheme = config.tls === undefined ? 'http' : 'https'
  return { server, url: urlOf(server.app.server.address(), config.settings.HOST, scheme) }
}
