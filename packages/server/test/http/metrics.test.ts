import { join } from 'node:path'
import { buildServer, loadServerConfig } from '@tessera/server'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { killServedTessera, requireBuiltCli, serveTessera } from '../cli/run-tessera.js'
import { freePort } from '../cli/service-fixtures.js'
import { useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()

beforeAll(requireBuiltCli)
afterEach(killServedTessera)

async function build(env: Record<string, string>) {
  const config = loadServerConfig({
    env: { TESSERA_DATA_DIR: join(tempDir(), 'data'), ...env },
    configFile: false,
  })
  return buildServer(config, { logger: false })
}

describe('Prometheus metrics', () => {
  it('are off by default: nothing at /metrics', async () => {
    const server = await build({})
    try {
      expect((await server.app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(404)
    } finally {
      await server.close()
    }
  })

  it('count requests by route pattern and status, auth events, and read the gauges', async () => {
    const server = await build({ TESSERA_METRICS_ON_API_PORT: 'true' })
    try {
      const { app } = server
      await app.inject({ method: 'GET', url: '/api/hello/' })
      await app.inject({ method: 'GET', url: '/api/sessions/abc123/' })
      await app.inject({
        method: 'POST',
        url: '/api/token/',
        payload: { username: 'nobody', password: 'wrong password' },
      })
      const scraped = await app.inject({ method: 'GET', url: '/metrics' })
      expect(scraped.statusCode).toBe(200)
      expect(scraped.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/)
      const text = scraped.body
      expect(text).toMatch(
        /tessera_http_request_duration_seconds_count\{method="GET",route="\/api\/hello\/",status="401"\} 1/,
      )
      expect(text).toMatch(
        /tessera_http_request_duration_seconds_bucket\{method="GET",route="\/api\/hello\/",status="401",le="\+Inf"\} 1/,
      )
      expect(text).toContain('# TYPE tessera_http_request_duration_seconds histogram')
      // The pattern, never the URL: ids and secrets stay out of label values.
      expect(text).toContain('route="/api/sessions/:id/"')
      expect(text).not.toContain('abc123')
      expect(text).toMatch(/tessera_auth_events_total\{event="login_failed"\} 1/)
      expect(text).toMatch(/tessera_password_hash_queue_wait_seconds_count [1-9]/)
      expect(text).toMatch(/tessera_password_hash_jobs\{state="queued"\} 0/)
      expect(text).toMatch(/tessera_revocation_view_entries\{kind="access_tokens"\} 0/)
      expect(text).toMatch(/tessera_revocation_bus_up 1/)
      expect(text).toMatch(/tessera_mail_outbox_messages\{status="pending"\} 0/)
      expect(text).toContain('tessera_process_cpu_seconds_total')
      expect(text).not.toContain('wrong password')
    } finally {
      await server.close()
    }
  })

  it('can have a port of their own, away from the public one', async () => {
    const cwd = tempDir()
    const port = await freePort()
    const served = await serveTessera([], {
      cwd,
      env: { TESSERA_DATA_DIR: join(cwd, 'data'), TESSERA_METRICS_PORT: String(port) },
    })
    await fetch(`${served.url}/api/hello/`)
    const scraped = await fetch(`http://127.0.0.1:${port}/metrics`)
    expect(scraped.status).toBe(200)
    expect(await scraped.text()).toContain('route="/api/hello/",status="401"')
    expect((await fetch(`${served.url}/metrics`)).status).toBe(404)
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404)
    expect(await served.stop()).toBe(0)
  })
})
