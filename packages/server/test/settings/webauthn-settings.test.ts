import { loadServerSettings } from '@tessera/server'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../temp-dir.js'

const tempDir = useTempDirs()

function refusal(env: Record<string, string>): Error & { setting?: string } {
  try {
    loadServerSettings({ env, cwd: tempDir() })
  } catch (error) {
    return error as Error & { setting?: string }
  }
  throw new Error('expected the settings to be refused')
}

describe('WEBAUTHN_* settings', () => {
  it('default to a relying party on localhost that requires user verification', () => {
    const settings = loadServerSettings({ env: {}, cwd: tempDir() })
    expect(settings).toMatchObject({
      WEBAUTHN_RP_ID: 'localhost',
      WEBAUTHN_RP_NAME: 'Tessera',
      WEBAUTHN_ORIGINS: ['http://localhost:8000'],
      WEBAUTHN_USER_VERIFICATION: 'required',
    })
  })

  it('read a domain, a name, a comma-separated origin list and preferred', () => {
    const settings = loadServerSettings({
      env: {
        TESSERA_WEBAUTHN_RP_ID: 'example.com',
        TESSERA_WEBAUTHN_RP_NAME: 'Example',
        TESSERA_WEBAUTHN_ORIGINS: 'https://example.com, https://app.example.com',
        TESSERA_WEBAUTHN_USER_VERIFICATION: 'preferred',
      },
      cwd: tempDir(),
    })
    expect(settings.WEBAUTHN_RP_ID).toBe('example.com')
    expect(settings.WEBAUTHN_ORIGINS).toEqual(['https://example.com', 'https://app.example.com'])
    expect(settings.WEBAUTHN_USER_VERIFICATION).toBe('preferred')
  })

  it.each([
    ['TESSERA_WEBAUTHN_RP_ID', 'https://example.com', /WEBAUTHN_RP_ID must be a lower-case domain/],
    ['TESSERA_WEBAUTHN_RP_ID', 'example.com:8443', /WEBAUTHN_RP_ID/],
    ['TESSERA_WEBAUTHN_RP_ID', 'Example.com', /WEBAUTHN_RP_ID/],
    ['TESSERA_WEBAUTHN_ORIGINS', 'https://example.com/login', /WEBAUTHN_ORIGINS must be a list/],
    ['TESSERA_WEBAUTHN_ORIGINS', '*', /WEBAUTHN_ORIGINS/],
    ['TESSERA_WEBAUTHN_USER_VERIFICATION', 'discouraged', /WEBAUTHN_USER_VERIFICATION/],
  ])('refuses %s=%s, naming the setting', (name, value, message) => {
    const error = refusal({ [name]: value })
    expect(error.message).toMatch(message)
    expect(error.message).toContain(`got "${value}`)
  })
})
