import { execFileSync } from 'node:child_process'
import { X509Certificate } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { Agent, request } from 'node:https'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { loadServerConfig } from '@tessera/server'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { killServedTessera, requireBuiltCli, serveTessera } from '../cli/run-tessera.js'
import { useTempDirs } from '../temp-dir.js'

// `tessera serve` answering HTTPS itself, with a self-signed certificate made by openssl here.
const tempDir = useTempDirs()

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

/** A P-256 certificate for localhost and 127.0.0.1, valid a day, with its key. */
function selfSigned(dir: string, name: string): { cert: string; key: string } {
  const cert = join(dir, `${name}.crt`)
  const key = join(dir, `${name}.key`)
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  )
  return { cert, key }
}

/** GET over HTTPS trusting `ca` only: status, headers and the certificate the server showed. */
function get(url: string, ca: Buffer, agent?: Agent) {
  return new Promise<{ status: number; headers: Record<string, unknown>; fingerprint: string }>(
    (resolve, reject) => {
      const req = request(url, { ca, agent: agent ?? false }, (response) => {
        const socket = response.socket as TLSSocket
        const fingerprint = socket.getPeerCertificate().fingerprint256
        response.resume()
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, fingerprint }),
        )
      })
      req.on('error', reject)
      req.end()
    },
  )
}

const fingerprintOf = (path: string) => new X509Certificate(readFileSync(path)).fingerprint256

describe('tessera serve over HTTPS', () => {
  it('answers HTTPS with HSTS, and takes a renewed certificate on SIGHUP without a restart', async () => {
    const dir = tempDir()
    const first = selfSigned(dir, 'first')
    const served = await serveTessera(['--tls-cert', first.cert, '--tls-key', first.key], {
      cwd: dir,
      env: { TESSERA_DATA_DIR: join(dir, 'data') },
    })
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const ca = readFileSync(first.cert)
    const hello = await get(`${served.url}/api/hello/`, ca)
    expect(hello.status).toBe(401)
    expect(hello.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains')
    expect(hello.fingerprint).toBe(fingerprintOf(first.cert))

    // A renewal: new files at the same paths, then SIGHUP.
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1 })
    expect((await get(`${served.url}/healthz`, ca, keepAlive)).fingerprint).toBe(
      fingerprintOf(first.cert),
    )
    const second = selfSigned(dir, 'second')
    execFileSync('cp', [second.cert, first.cert])
    execFileSync('cp', [second.key, first.key])
    served.child.kill('SIGHUP')
    await vi.waitFor(() => expect(served.output()).toContain('TLS certificate and key reloaded'), {
      timeout: 10_000,
    })
    const renewed = readFileSync(second.cert)
    expect((await get(`${served.url}/healthz`, renewed)).fingerprint).toBe(
      fingerprintOf(second.cert),
    )
    // The open connection keeps its session: nothing was dropped.
    expect((await get(`${served.url}/healthz`, ca, keepAlive)).status).toBe(200)
    keepAlive.destroy()
    expect(await served.stop()).toBe(0)
  })

  it('passes SIGHUP on to every worker with --workers, each taking the renewed certificate', async () => {
    const dir = tempDir()
    const { cert, key } = selfSigned(dir, 'workers')
    const served = await serveTessera(['--workers', '2', '--tls-cert', cert, '--tls-key', key], {
      cwd: dir,
      env: { TESSERA_DATA_DIR: join(dir, 'data') },
    })
    // Both workers up (each prints its banner) before the signal.
    await vi.waitFor(() => expect(served.output().match(/listening on https:/g)?.length).toBe(2), {
      timeout: 15_000,
    })
    const renewed = selfSigned(dir, 'renewed')
    execFileSync('cp', [renewed.cert, cert])
    execFileSync('cp', [renewed.key, key])
    served.child.kill('SIGHUP')
    await vi.waitFor(
      () => expect(served.output().match(/TLS certificate and key reloaded/g)?.length).toBe(2),
      { timeout: 15_000 },
    )
    expect(served.output()).toContain('received SIGHUP: 2 workers reload the TLS certificate')
    const ca = readFileSync(renewed.cert)
    for (let i = 0; i < 4; i++) {
      expect((await get(`${served.url}/healthz`, ca)).fingerprint).toBe(fingerprintOf(renewed.cert))
    }
    expect(await served.stop()).toBe(0)
  })

  it('sends no HSTS with SECURE_HSTS_SECONDS=0', async () => {
    const dir = tempDir()
    const { cert, key } = selfSigned(dir, 'plain')
    const served = await serveTessera(['--tls-cert', cert, '--tls-key', key], {
      cwd: dir,
      env: { TESSERA_DATA_DIR: join(dir, 'data'), TESSERA_SECURE_HSTS_SECONDS: '0' },
    })
    const answer = await get(`${served.url}/healthz`, readFileSync(cert))
    expect(answer.headers['strict-transport-security']).toBeUndefined()
  })
})

describe('TLS settings', () => {
  const base = (dir: string) => ({ TESSERA_DATA_DIR: join(dir, 'data') })

  it('refuses half a pair, an unreadable file and a key of another certificate, by name', () => {
    const dir = tempDir()
    const one = selfSigned(dir, 'one')
    const two = selfSigned(dir, 'two')
    const load = (env: Record<string, string>) => () =>
      loadServerConfig({ env: { ...base(dir), ...env }, configFile: false, cwd: dir })
    expect(load({ TESSERA_TLS_CERT_FILE: one.cert })).toThrow(
      'HTTPS needs both TLS_CERT_FILE and TLS_KEY_FILE',
    )
    expect(load({ TESSERA_TLS_CERT_FILE: one.cert, TESSERA_TLS_KEY_FILE: 'nope.key' })).toThrow(
      /cannot read .*nope\.key \(ENOENT\)/,
    )
    expect(load({ TESSERA_TLS_CERT_FILE: one.cert, TESSERA_TLS_KEY_FILE: two.key })).toThrow(
      /do not make a TLS certificate and its key/,
    )
  })

  it('refuses plain HTTP on a reachable address in production, unless a TLS proxy is trusted', () => {
    const dir = tempDir()
    const production = {
      ...base(dir),
      TESSERA_ENV: 'production',
      TESSERA_SIGNING_KEY: 'a-production-signing-key-of-enough-length-7f3a9c',
      TESSERA_AUTH_ROUTES: 'false',
    }
    const load = (env: Record<string, string>) => () =>
      loadServerConfig({ env: { ...production, ...env }, configFile: false, cwd: dir })
    expect(load({ TESSERA_HOST: '0.0.0.0' })).toThrow(
      'TESSERA_ENV=production refuses plain HTTP on 0.0.0.0',
    )
    expect(load({ TESSERA_HOST: '0.0.0.0', TESSERA_TRUST_PROXY: '10.0.0.0/8' })).not.toThrow()
    expect(load({ TESSERA_HOST: '127.0.0.1' })).not.toThrow()
    const { cert, key } = selfSigned(dir, 'prod')
    expect(
      load({ TESSERA_HOST: '0.0.0.0', TESSERA_TLS_CERT_FILE: cert, TESSERA_TLS_KEY_FILE: key }),
    ).not.toThrow()
  })
})
