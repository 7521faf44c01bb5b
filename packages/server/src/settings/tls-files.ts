import { readFileSync } from 'node:fs'
import { isIP } from 'node:net'
import { resolve } from 'node:path'
import { createSecureContext } from 'node:tls'
import { SettingsError } from '@tessera/core'
import type { ServerSettings } from './server-settings.js'

/** The certificate and key `tessera serve` answers HTTPS with. */
export interface TlsFiles {
  readonly cert: Buffer
  readonly key: Buffer
  /** Absolute paths, re-read on SIGHUP. */
  readonly certFile: string
  readonly keyFile: string
}

/**
 * Reads `TLS_CERT_FILE` and `TLS_KEY_FILE` (both or neither) and checks that they make a TLS
 * context, so that a wrong path, a non-PEM file or a key of another certificate stops the start
 * with the setting's name rather than failing at the first handshake. Never prints the key.
 */
export function readTlsFiles(
  settings: Pick<ServerSettings, 'TLS_CERT_FILE' | 'TLS_KEY_FILE'>,
  cwd: string,
): TlsFiles | undefined {
  const { TLS_CERT_FILE: certPath, TLS_KEY_FILE: keyPath } = settings
  if (certPath === undefined && keyPath === undefined) return undefined
  if (certPath === undefined || keyPath === undefined) {
    const missing = certPath === undefined ? 'TLS_CERT_FILE' : 'TLS_KEY_FILE'
    throw new SettingsError(missing, 'HTTPS needs both TLS_CERT_FILE and TLS_KEY_FILE')
  }
  const certFile = resolve(cwd, certPath)
  const keyFile = resolve(cwd, keyPath)
  const files = { cert: read('TLS_CERT_FILE', certFile), key: read('TLS_KEY_FILE', keyFile) }
  try {
    createSecureContext(files)
  } catch (error) {
    throw new SettingsError(
      'TLS_KEY_FILE',
      `TLS_CERT_FILE and TLS_KEY_FILE do not make a TLS certificate and its key (${(error as Error).message})`,
    )
  }
  return { ...files, certFile, keyFile }
}

function read(setting: string, path: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new SettingsError(setting, `cannot read ${path} (${reason})`)
  }
}

/** Whether `host` only listens on this machine. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true
  return isIP(host) === 4 && host.startsWith('127.')
}

/**
 * Production over plain HTTP on an address others can reach would send passwords and tokens in
 * clear: refused, unless a proxy that terminates TLS is trusted (`TRUST_PROXY`).
 */
export function checkTransportSecurity(settings: ServerSettings, tls: TlsFiles | undefined): void {
  if (settings.ENV !== 'production' || tls !== undefined) return
  if (isLoopbackHost(settings.HOST) || settings.TRUST_PROXY !== false) return
  throw new SettingsError(
    'HOST',
    `TESSERA_ENV=production refuses plain HTTP on ${settings.HOST}: serve HTTPS ` +
      '(TESSERA_TLS_CERT_FILE and TESSERA_TLS_KEY_FILE), or set TESSERA_TRUST_PROXY to the proxy ' +
      'that terminates TLS in front of it',
  )
}
