import { readFileSync, writeFileSync } from 'node:fs'
import {
  authenticationFailureBody,
  type CatalogueEntry,
  type ErrorCode,
  errorCatalogue,
  publicErrorBody,
} from '@tessera/core'
import { describe, expect, it } from 'vitest'

const contractPath = new URL('../../../../docs/api-contract.md', import.meta.url)
const errorsDocPath = new URL('../../ERRORS.md', import.meta.url)

// Codes whose public text the contract does not spell out, or that never reach HTTP clients as
// themselves (configuration failures answer a plain 500).
const NOT_IN_CONTRACT = new Set<ErrorCode>([
  'validation_failed', // DRF's generic text; the contract's bodies are the field errors
  'settings_invalid',
  'key_invalid',
])

function renderErrorsTable(): string {
  const rows = Object.entries(errorCatalogue).map(
    ([code, entry]) =>
      `| \`${code}\` | ${entry.status} | ${entry.message} | ${entry.publicCode ? `\`${entry.publicCode}\`` : ''} |`,
  )
  return [
    '| Code | HTTP status | Public message | Public `code` |',
    '|---|---:|---|---|',
    ...rows,
  ].join('\n')
}

describe('error catalogue', () => {
  it('matches the bodies of api-contract.md, word for word', () => {
    const contract = readFileSync(contractPath, 'utf8')
    for (const [code, entry] of Object.entries(errorCatalogue) as [ErrorCode, CatalogueEntry][]) {
      if (NOT_IN_CONTRACT.has(code)) continue
      // Templates like `Method "{method}" not allowed.` match the contract's concrete example;
      // quotes may appear JSON-escaped there (`\"text/plain\"`).
      const pattern = entry.message
        .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
        .replace(/\\\{\w+\\\}/g, '[^"\\\\]+?')
        .replaceAll('"', '\\\\?"')
      expect(contract, `${code}: "${entry.message}"`).toMatch(new RegExp(pattern))
      if (entry.publicCode !== undefined) expect(contract).toContain(`"code":"${entry.publicCode}"`)
    }
  })

  it('renders DRF bodies, with and without a code, and fills templates', () => {
    expect(publicErrorBody('not_authenticated')).toEqual({
      detail: 'Authentication credentials were not provided.',
    })
    expect(publicErrorBody('token_expired')).toEqual({
      detail: 'Token is expired',
      code: 'token_not_valid',
    })
    expect(publicErrorBody('method_not_allowed', { method: 'GET' })).toEqual({
      detail: 'Method "GET" not allowed.',
    })
    expect(publicErrorBody('throttled', { wait: 42 })).toEqual({
      detail: 'Request was throttled. Expected available in 42 seconds.',
    })
    expect(authenticationFailureBody('token_signature_invalid')).toEqual({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
      messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid' }],
    })
  })

  it('gives every token error a 401 and one of simplejwt messages', () => {
    const simplejwt = new Set([
      'Token is invalid',
      'Token is expired',
      'Token has wrong type',
      'Token has no id',
      'Token has no type',
      "Token has no 'exp' claim",
      'Token is blacklisted',
      'Token contained no recognizable user identification',
    ])
    for (const [code, entry] of Object.entries(errorCatalogue)) {
      if (!code.startsWith('token_')) continue
      expect(entry.status, code).toBe(401)
      expect(simplejwt.has(entry.message), code).toBe(true)
    }
  })

  it('is documented in packages/core/ERRORS.md (UPDATE_DOCS=1 rewrites it)', () => {
    const table = renderErrorsTable()
    if (process.env.UPDATE_DOCS === '1') {
      writeFileSync(
        errorsDocPath,
        `# Error catalogue\n\nEvery error Tessera raises on purpose has a stable \`code\`. This table, generated from\n\`errorCatalogue\` and kept in sync by \`test/errors/error-catalogue.test.ts\`, says what HTTP\nclients see for each. Placeholders in braces are filled per request.\n\n${table}\n`,
      )
    }
    expect(readFileSync(errorsDocPath, 'utf8')).toContain(table)
  })
})
