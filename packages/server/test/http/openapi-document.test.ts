import { join } from 'node:path'
import { Validator } from '@seriousme/openapi-schema-validator'
import { buildServer, loadServerConfig } from '@tessera/server'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'

// The OpenAPI document as clients generate code from it: valid OpenAPI 3.1 (checked by a
// validator made for it), real operations only, each with its errors and its security.
const tempDir = useTempDirs()

type Operation = {
  security?: Record<string, string[]>[]
  responses: Record<string, unknown>
  requestBody?: unknown
}

async function documentOf(env: Record<string, string> = {}) {
  const config = loadServerConfig({
    env: { TESSERA_DATA_DIR: join(tempDir(), 'data'), ...env },
    configFile: false,
  })
  const server = await buildServer(config, { logger: false })
  try {
    return (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, Operation>>
    }
  } finally {
    await server.close()
  }
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const result = await new Validator().validate(await documentOf())
    expect(result.errors).toBeUndefined()
    expect(result.valid).toBe(true)
  })

  it('lists real operations only: no OPTIONS, no 405 stubs', async () => {
    const document = await documentOf()
    expect(Object.keys(document.paths['/api/token/'] ?? {})).toEqual(['post'])
    expect(Object.keys(document.paths['/api/me/'] ?? {}).sort()).toEqual(['get', 'patch'])
    for (const operations of Object.values(document.paths)) {
      expect(Object.keys(operations)).not.toContain('options')
    }
  })

  it('declares security on protected operations only, and every error in the contract shape', async () => {
    const document = await documentOf()
    const me = document.paths['/api/me/']?.get as Operation
    expect(me.security).toEqual([{ bearerAuth: [] }])
    expect(Object.keys(me.responses).sort()).toEqual(['200', '400', '401', '403', '429', '503'])
    const login = document.paths['/api/token/']?.post as Operation
    expect(login.security).toBeUndefined()
    expect(Object.keys(login.responses)).toEqual(
      expect.arrayContaining(['200', '400', '401', '429', '503']),
    )
    expect(login.requestBody).toBeDefined()
    expect(document.paths['/healthz']?.get?.security).toBeUndefined()
  })

  it('documents every admin operation: summary, security, 403, parameters and bodies', async () => {
    const document = await documentOf()
    const admin = Object.entries(document.paths).filter(([path]) => path.startsWith('/api/admin/'))
    const operations = admin.flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    )
    expect(operations.length).toBeGreaterThanOrEqual(32)
    for (const { path, method, operation } of operations) {
      const label = `${method} ${path}`
      const described = operation as Operation & { summary?: string; parameters?: { in: string }[] }
      expect(described.summary, label).toBeTruthy()
      expect(described.security, label).toEqual([{ bearerAuth: [] }])
      expect(Object.keys(described.responses), label).toEqual(
        expect.arrayContaining(['401', '403']),
      )
      const pathParameters = (path.match(/\{[^}]+\}/g) ?? []).length
      expect(described.parameters?.filter((p) => p.in === 'path').length ?? 0, label).toBe(
        pathParameters,
      )
    }
    const create = document.paths['/api/admin/users/']?.post as Operation
    expect(create.requestBody).toBeDefined()
    expect(Object.keys(create.responses)).toContain('201')
  })

  it('offers the cookie with its CSRF header in cookie mode', async () => {
    const document = await documentOf({ TESSERA_TOKEN_TRANSPORT: 'cookie' })
    expect(document.paths['/api/me/']?.get?.security).toEqual([
      { bearerAuth: [] },
      { cookieAuth: [], csrfToken: [] },
    ])
  })
})
